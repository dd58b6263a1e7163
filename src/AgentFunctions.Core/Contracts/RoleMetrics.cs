using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Contracts;

/// <summary>Queue and outcome figures of one role.</summary>
public sealed record RoleMetrics
{
    public required string Role { get; init; }

    /// <summary>Attempts due and waiting for a runner or worker.</summary>
    public int QueueDepth { get; init; }

    public double? OldestWaitingSeconds { get; init; }

    public int InFlight { get; init; }

    public int Retrying { get; init; }

    public long DeadLettered { get; init; }

    public long Succeeded { get; init; }

    public long FailedAttempts { get; init; }

    public LatencySummary AttemptLatencyMs { get; init; } = LatencySummary.Empty;

    public AgentUsage? Usage { get; init; }

    /// <summary>The role's circuit breaker.</summary>
    public CircuitView? Circuit { get; init; }

    /// <summary>New attempts per second entering the queue, over the last minutes.</summary>
    public double? ArrivalRatePerSecond { get; init; }

    /// <summary>How long an attempt takes, on average, over the recent ones.</summary>
    public double? MeanAttemptSeconds { get; init; }

    /// <summary>The share of the last hour's attempts that failed (permanent failures included).</summary>
    public double? FailureRatioLastHour { get; init; }

    public long? DeadLettersLastHour { get; init; }

    /// <summary>
    /// For a remote role: how many workers would drain its queue within <c>Alerts:TargetDrainSeconds</c>
    /// (see <c>ScalingHint</c> and docs/routing.md). Null for roles this host runs itself.
    /// </summary>
    public int? DesiredWorkers { get; init; }
}
