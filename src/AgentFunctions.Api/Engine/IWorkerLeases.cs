using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Runners;

namespace AgentFunctions.Api.Engine;

/// <summary>What the API needs from an engine for remote workers: the lease protocol of a remote role's attempts.</summary>
public interface IWorkerLeases
{
    /// <summary>
    /// Hands the next due attempt of a remote role whose requirements <paramref name="capabilities"/> cover to a worker
    /// (highest priority first, then the longest waiting), waiting up to <paramref name="wait"/>; null when none.
    /// <paramref name="leaseDuration"/> (already capped by the role's lease) replaces the role's lease when given.
    /// </summary>
    Task<LeaseGrant?> LeaseAsync(string role, string? workerId, IReadOnlySet<string> capabilities, TimeSpan wait, TimeSpan? leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends a lease; null when the lease is gone.</summary>
    Task<HeartbeatResponse?> HeartbeatAsync(string role, string leaseId, HeartbeatRequest heartbeat, CancellationToken cancellationToken);

    /// <summary>Accepts a worker's result; false when the lease is gone.</summary>
    Task<bool> CompleteAsync(string role, string leaseId, AgentResult result, CancellationToken cancellationToken);

    /// <summary>Accepts a worker's failure; false when the lease is gone.</summary>
    Task<bool> FailAsync(string role, string leaseId, FailRequest failure, CancellationToken cancellationToken);

    /// <summary>Gives an attempt back untouched (a worker shutting down): it is offered again and is not counted as a new attempt.</summary>
    Task<bool> ReleaseAsync(string role, string leaseId, CancellationToken cancellationToken);
}
