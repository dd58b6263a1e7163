using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Orchestration;

/// <summary>How one role's run (an activity with its retries, or a remote sub-orchestration) ended, as the orchestrator sees it.</summary>
internal sealed record RoleRunResult(string Role, int Attempt, RoleResult? Result, bool NeedsApproval, IReadOnlyList<AttemptFailure> Failures, bool Canceled)
{
    public static RoleRunResult Success(string role, int attempt, RoleResult result, bool needsApproval) =>
        new(role, attempt, result, needsApproval, [], false);

    public static RoleRunResult Failure(string role, int attempts, IReadOnlyList<AttemptFailure> failures) =>
        new(role, attempts, null, false, failures, false);

    public static RoleRunResult WasCanceled(string role, int attempt) => new(role, attempt, null, false, [], true);

    /// <summary>The decider event for this outcome; null when the run was canceled with its task.</summary>
    public WorkflowEvent? ToEvent() => this switch
    {
        { Canceled: true } => null,
        { Result: { } result, NeedsApproval: true } => new RoleNeedsApproval(Role, Attempt, result),
        { Result: { } result } => new RoleSucceeded(Role, Attempt, result),
        _ => new RoleFailedFinally(Role, Attempt, Failures),
    };
}
