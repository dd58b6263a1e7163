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
}
