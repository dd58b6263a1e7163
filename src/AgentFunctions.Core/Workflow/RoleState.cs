using AgentFunctions.Core.Retries;

namespace AgentFunctions.Core.Workflow;

/// <summary>One role of a task as the decider sees it.</summary>
public sealed record RoleState
{
    public required string Role { get; init; }

    public required int Stage { get; init; }

    public RoleStatus Status { get; init; } = RoleStatus.Pending;

    /// <summary>Attempts started so far.</summary>
    public int Attempt { get; init; }

    public required RetrySchedule Schedule { get; init; }

    public bool RequiresApproval { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? LastError { get; init; }

    public IReadOnlyList<AttemptFailure> Failures { get; init; } = [];

    public RoleResult? Result { get; init; }

    /// <summary>The latest approval gate of this role (pre-run or on its result).</summary>
    public ApprovalGate? Approval { get; init; }

    /// <summary>Progress 0..1 reported by a remote worker's heartbeat.</summary>
    public double? Progress { get; init; }

    public string? ProgressMessage { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? DeadLetterId { get; init; }

    /// <summary>The role's circuit breaker holds its next attempt until then (it waits uncounted); null when not held.</summary>
    public DateTimeOffset? CircuitHeldUntil { get; init; }

    public int MaxAttempts => Schedule.MaxAttempts;
}
