using AgentFunctions.Core.Retries;

namespace AgentFunctions.Orchestration;

/// <summary>
/// What a remote role's sub-orchestration carries into its next episode when it continues as new: the attempt
/// that is already dispatched, the failures of the attempts before it, the lease expiry it was timing (null
/// while the attempt waits in the queue) and the send receipt of its queue message (<see cref="RemoteAttemptStatus.Queued"/>).
/// </summary>
public sealed record RemoteRoleResume(int Attempt, IReadOnlyList<AttemptFailure> Failures, DateTimeOffset? LeaseExpiresAt, string? Queued = null);
