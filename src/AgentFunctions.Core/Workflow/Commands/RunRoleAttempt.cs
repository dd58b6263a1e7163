using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Workflow.Commands;

/// <summary>
/// Run attempt <see cref="Attempt"/> of a role, not before <see cref="DueAt"/> (now when null).
/// <see cref="Inputs"/> are earlier stages' results.
/// </summary>
public sealed record RunRoleAttempt(
    string Role,
    int Stage,
    int Attempt,
    DateTimeOffset? DueAt,
    TaskPriority Priority,
    RetrySchedule Schedule,
    IReadOnlyList<StageInput> Inputs) : WorkflowCommand;
