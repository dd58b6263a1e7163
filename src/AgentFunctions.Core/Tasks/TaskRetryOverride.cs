namespace AgentFunctions.Core.Tasks;

/// <summary>
/// A task's own retry settings, which may only narrow each role's schedule: <see cref="MaxAttempts"/> at most the
/// role's maxAttempts, <see cref="FirstDelay"/> and <see cref="MaxDelay"/> at most the role's maxDelay, and
/// <see cref="BackoffCoefficient"/> within the bounds of any schedule (1 to 100).
/// </summary>
public sealed record TaskRetryOverride
{
    public int? MaxAttempts { get; init; }

    public TimeSpan? FirstDelay { get; init; }

    public double? BackoffCoefficient { get; init; }

    public TimeSpan? MaxDelay { get; init; }
}
