using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Core.Workflow;

/// <summary>
/// Everything the decider knows of one task. Immutable; serialises to JSON and back without loss,
/// which is how the Standalone engine persists it.
/// </summary>
public sealed record TaskState
{
    public required string Id { get; init; }

    public required TaskSpec Spec { get; init; }

    public AgentTaskStatus Status { get; init; } = AgentTaskStatus.Accepted;

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? DeadlineAt { get; init; }

    public required TimeSpan ApprovalTimeout { get; init; }

    /// <summary>Index of the stage that runs now (or ran last).</summary>
    public int CurrentStage { get; init; }

    public required int StageCount { get; init; }

    public required IReadOnlyList<RoleState> Roles { get; init; }

    /// <summary>The task-level pre-run gate, when the spec asked for one.</summary>
    public ApprovalGate? Approval { get; init; }

    public TaskOutcome? Outcome { get; init; }

    /// <summary>What the server flagged when it accepted the task (secrets found with <c>Security:SecretScan</c> = Flag).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The trace the task belongs to: the context of the span that started it (its attempts are its children).</summary>
    public TraceContext? Trace { get; init; }

    /// <summary>Number of events applied; a change counter for storage and caches.</summary>
    public long Version { get; init; }

    public bool IsTerminal => Status.IsTerminal();

    public RoleState? FindRole(string role)
    {
        foreach (var state in Roles)
        {
            if (state.Role == role)
            {
                return state;
            }
        }

        return null;
    }
}
