using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Retries;

/// <summary>
/// How often and how patiently a role attempt is retried. The delay before attempt n+1 is
/// min(firstDelay × coefficient^(n−1), maxDelay).
/// </summary>
public sealed record RetrySchedule
{
    public const int AttemptsCap = 10;

    public static RetrySchedule Default { get; } = new();

    public int MaxAttempts { get; init; } = 5;

    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(2);

    public double BackoffCoefficient { get; init; } = 2.0;

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The wait after attempt <paramref name="failedAttempt"/> (1-based) failed.</summary>
    public TimeSpan DelayAfter(int failedAttempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        var seconds = FirstDelay.TotalSeconds * Math.Pow(BackoffCoefficient, failedAttempt - 1);
        // Pow overflows to infinity for large attempts; the cap applies either way.
        return double.IsFinite(seconds) && seconds < MaxDelay.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : MaxDelay;
    }

    /// <summary>Whether another attempt may follow attempt <paramref name="attempt"/>.</summary>
    public bool AllowsAttemptAfter(int attempt) => attempt < MaxAttempts;

    /// <summary>
    /// This schedule narrowed by a task's own settings (already validated against it). A maxDelay shorter than
    /// the role's firstDelay shortens the first wait too, so the first delay never exceeds the cap and every
    /// wait stays what <see cref="DelayAfter"/> gives.
    /// </summary>
    public RetrySchedule With(TaskRetryOverride? taskOverride)
    {
        if (taskOverride is null)
        {
            return this;
        }

        var maxDelay = taskOverride.MaxDelay ?? MaxDelay;
        var firstDelay = taskOverride.FirstDelay ?? FirstDelay;
        return new RetrySchedule
        {
            MaxAttempts = taskOverride.MaxAttempts ?? MaxAttempts,
            FirstDelay = firstDelay > maxDelay ? maxDelay : firstDelay,
            BackoffCoefficient = taskOverride.BackoffCoefficient ?? BackoffCoefficient,
            MaxDelay = maxDelay,
        };
    }
}
