using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Orchestration;

/// <summary>
/// What a remote role's sub-orchestration tells its task between attempts (<see cref="OrchestrationEvents.RemoteAttempt"/>):
/// attempt <see cref="Attempt"/> failed and another follows (<see cref="Error"/> set), or a worker leased attempt
/// <see cref="Attempt"/> (it starts) or handed it back, or the circuit breaker holds or released it. The task view then shows the role
/// retrying and the attempt running (or held), as for an inline role.
/// </summary>
public sealed record RemoteAttemptEvent(string Role, int Attempt, FailureKind? Kind, string? Error)
{
    /// <summary>The role's circuit breaker holds the attempt (it was not put on the queue) until then.</summary>
    public DateTimeOffset? HeldUntil { get; init; }

    /// <summary>The attempt, held before, is on the queue now.</summary>
    public bool Released { get; init; }

    /// <summary>The worker that leased the attempt.</summary>
    public string? Worker { get; init; }

    /// <summary>The worker handed the leased attempt back unfinished: it waits in the queue again, uncounted.</summary>
    public bool Returned { get; init; }

    /// <summary>What this tells the task's decider.</summary>
    public WorkflowEvent ToWorkflowEvent() => this switch
    {
        { Error: { } error } => new RoleAttemptFailed(Role, Attempt, Kind ?? FailureKind.Transient, error),
        { HeldUntil: { } until } => new RoleCircuitHeld(Role, Attempt, until),
        { Released: true } => new RoleCircuitReleased(Role),
        { Returned: true } => new RoleAttemptReturned(Role, Attempt),
        _ => new RoleAttemptStarted(Role, Attempt, Worker),
    };
}
