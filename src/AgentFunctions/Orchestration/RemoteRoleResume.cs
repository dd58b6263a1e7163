using AgentFunctions.Core.Retries;

namespace AgentFunctions.Orchestration;

/// <summary>
/// What a remote role's sub-orchestration carries into its next episode when it continues as new: the attempt
/// that is already dispatched, the failures of the attempts before it, the lease expiry it was timing (null
/// while the attempt waits in the queue) and the send receipt of its queue message (<see cref="RemoteAttemptStatus.Queued"/>);
/// or, with <see cref="Held"/>, the attempt the circuit breaker still holds, which the next episode dispatches.
/// </summary>
public sealed record RemoteRoleResume(int Attempt, IReadOnlyList<AttemptFailure> Failures, DateTimeOffset? LeaseExpiresAt, string? Queued = null)
{
    /// <summary>The attempt is not on the queue yet: the role's circuit breaker held it all through the last episode.</summary>
    public bool Held { get; init; }
}
