using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Orchestration;

/// <summary>How a remote role's attempts ended: a result, the failures after the last attempt, or canceled.</summary>
public sealed record RemoteRoleOutcome(
    RemoteOutcomeKind Kind,
    int Attempts,
    RoleResult? Result,
    bool NeedsApproval,
    IReadOnlyList<AttemptFailure> Failures);
