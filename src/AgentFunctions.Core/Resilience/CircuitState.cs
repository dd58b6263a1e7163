namespace AgentFunctions.Core.Resilience;

/// <summary>
/// A role's circuit breaker: its status, the break it is in, the probe in flight, and the outcomes of the sampling
/// window. Immutable and serializable: the Standalone server keeps it in SQLite, the Functions app in a blob per role.
/// </summary>
public sealed record CircuitState
{
    public static CircuitState Initial { get; } = new();

    public CircuitStatus Status { get; init; } = CircuitStatus.Closed;

    /// <summary>When the breaker last opened.</summary>
    public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>While open: when the break ends and a probe may run.</summary>
    public DateTimeOffset? OpenUntil { get; init; }

    /// <summary>While half-open: when the probe in flight was let through (null: no probe runs yet).</summary>
    public DateTimeOffset? ProbeStartedAt { get; init; }

    /// <summary>When the status last changed.</summary>
    public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>How often the breaker opened (re-openings after a failed probe included).</summary>
    public long Openings { get; init; }

    /// <summary>Outcomes within the sampling window, oldest first.</summary>
    public IReadOnlyList<CircuitBucket> Window { get; init; } = [];

    public int Successes => Window.Sum(b => b.Successes);

    public int Failures => Window.Sum(b => b.Failures);
}
