using AgentFunctions.Core.Resilience;

namespace AgentFunctions.Core.Contracts;

/// <summary>A role's circuit breaker as <c>/api/metrics</c> shows it.</summary>
public sealed record CircuitView
{
    public required CircuitStatus State { get; init; }

    public bool Enabled { get; init; } = true;

    public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>While open: when the break ends and a probe may run.</summary>
    public DateTimeOffset? OpenUntil { get; init; }

    public DateTimeOffset? ChangedAt { get; init; }

    public long Openings { get; init; }

    /// <summary>Attempts that ended within the sampling window, and how many of them failed.</summary>
    public int Attempts { get; init; }

    public int Failures { get; init; }

    public double? FailureRatio { get; init; }

    public static CircuitView From(CircuitState state, CircuitBreakerOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var window = CircuitBreaker.Prune(state.Window, options, now);
        var failures = window.Sum(b => b.Failures);
        var attempts = failures + window.Sum(b => b.Successes);
        return new CircuitView
        {
            State = options.Enabled ? state.Status : CircuitStatus.Closed,
            Enabled = options.Enabled,
            OpenedAt = state.OpenedAt,
            OpenUntil = state.Status == CircuitStatus.Open ? state.OpenUntil : null,
            ChangedAt = state.ChangedAt,
            Openings = state.Openings,
            Attempts = attempts,
            Failures = failures,
            FailureRatio = attempts == 0 ? null : Math.Round((double)failures / attempts, 4),
        };
    }
}
