using AgentFunctions.Core.Retries;

namespace AgentFunctions.Orchestration;

/// <summary>
/// What a remote role's sub-orchestration carries into its next episode when it continues as new: the attempt
/// that is already dispatched, the failures of the attempts before it, and the lease expiry it was timing (null
/// while the attempt waits in the queue).
/// </summary>
public sealed record RemoteRoleResume(int Attempt, IReadOnlyList<AttemptFailure> Failures, DateTimeOffset? LeaseExpiresAt);
