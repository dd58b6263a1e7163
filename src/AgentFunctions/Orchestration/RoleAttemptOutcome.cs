using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Orchestration;

/// <summary>
/// How an inline attempt ended: the stored result's references and whether the agent asked for a human to approve it;
/// or its failure (<see cref="Failure"/> and <see cref="Error"/>); or, with <see cref="HeldUntil"/>, that the role's
/// circuit breaker held it and it did not run. It names its role and attempt because the Durable history keeps an
/// activity's output but not its input (task histories are read from it). An activity that could not run at all
/// (storage down) fails instead; the orchestrator takes that as a transient failure.
/// </summary>
public sealed record RoleAttemptOutcome(RoleResult? Result, bool NeedsApproval, DateTimeOffset? HeldUntil = null)
{
    public string? Role { get; init; }

    public int Attempt { get; init; }

    public FailureKind? Failure { get; init; }

    public string? Error { get; init; }
}
