namespace AgentFunctions.Orchestration;

/// <summary>
/// The <c>lease-&lt;attempt&gt;</c> event the lease API raises on a remote role's sub-orchestration when a worker
/// leases the attempt or heartbeats (<see cref="LeaseExpiresAt"/> = the new expiry), or releases it back to the
/// queue (<see cref="LeaseExpiresAt"/> null: the attempt waits again). After a release, one more event with only
/// <see cref="Queued"/> gives the send receipt of the fresh message the attempt now waits in.
/// </summary>
public sealed record RemoteLeaseEvent(int Attempt, DateTimeOffset? LeaseExpiresAt, string? WorkerId, string? Queued = null);
