using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Orchestration;

/// <summary>
/// An attempt the orchestrator waits for: an inline role's activity call, or a remote role's sub-orchestration
/// (which runs all of that role's attempts). <see cref="Run"/> answers the decider events its end means (none when
/// the remote role was canceled with its task).
/// </summary>
internal sealed record PendingRole(string Role, int Attempt, bool Remote, Task<IReadOnlyList<WorkflowEvent>> Run)
{
    /// <summary>What the decider hears when the wait itself failed (not the attempt): a transient failure.</summary>
    public WorkflowEvent Interrupted(string? reason, DateTimeOffset now)
    {
        var message = reason ?? "the role run was interrupted";
        return Remote
            ? new RoleFailedFinally(Role, Attempt, [new AttemptFailure(Attempt, now, FailureKind.Transient, message)])
            : new RoleAttemptFailed(Role, Attempt, FailureKind.Transient, message);
    }
}
