using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Orchestration;

/// <summary>How one role's run (an activity with its retries, or a remote sub-orchestration) ended, as the orchestrator sees it.</summary>
/// <param name="NothingToReport">The decider already knows how the run ended (it was canceled with its task, or the retry policy's failure callback reported the last failure).</param>
internal sealed record RoleRunResult(string Role, int Attempt, RoleResult? Result, bool NeedsApproval, IReadOnlyList<AttemptFailure> Failures, bool NothingToReport)
{
    public static RoleRunResult Success(string role, int attempt, RoleResult result, bool needsApproval) =>
        new(role, attempt, result, needsApproval, [], false);

    public static RoleRunResult Failure(string role, int attempts, IReadOnlyList<AttemptFailure> failures) =>
        new(role, attempts, null, false, failures, false);

    public static RoleRunResult WasCanceled(string role, int attempt) => new(role, attempt, null, false, [], true);

    public static RoleRunResult Settled(string role) => new(role, 0, null, false, [], true);

    /// <summary>The decider event for this outcome; null when there is nothing left to report.</summary>
    public WorkflowEvent? ToEvent() => this switch
    {
        { NothingToReport: true } => null,
        { Result: { } result, NeedsApproval: true } => new RoleNeedsApproval(Role, Attempt, result),
        { Result: { } result } => new RoleSucceeded(Role, Attempt, result),
        _ => new RoleFailedFinally(Role, Attempt, Failures),
    };
}
