using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Runners;

namespace AgentFunctions.Api.Engine;

/// <summary>What the API needs from an engine for remote workers: the lease protocol of a remote role's attempts.</summary>
public interface IWorkerLeases
{
    /// <summary>
    /// Hands the next due attempt of a remote role whose requirements <paramref name="capabilities"/> cover to a worker
    /// (highest priority first, then the longest waiting), waiting up to <paramref name="wait"/>; null when none.
    /// With <paramref name="taskId"/>, only that task's due attempt of the role, if it has one. <paramref name="leaseDuration"/>
    /// (already checked against the role's <c>MaxLeaseSeconds</c>) replaces the role's lease when given; heartbeats
    /// extend the lease by the same length.
    /// </summary>
    Task<LeaseGrant?> LeaseAsync(string role, string? workerId, IReadOnlySet<string> capabilities, string? taskId, TimeSpan wait, TimeSpan? leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends a lease; null when the lease is gone.</summary>
    Task<HeartbeatResponse?> HeartbeatAsync(string role, string leaseId, HeartbeatRequest heartbeat, CancellationToken cancellationToken);

    /// <summary>Accepts a worker's result; false when the lease is gone.</summary>
    Task<bool> CompleteAsync(string role, string leaseId, AgentResult result, CancellationToken cancellationToken);

    /// <summary>Accepts a worker's failure; false when the lease is gone.</summary>
    Task<bool> FailAsync(string role, string leaseId, FailRequest failure, CancellationToken cancellationToken);

    /// <summary>Gives an attempt back untouched (a worker shutting down): it is offered again and is not counted as a new attempt.</summary>
    Task<bool> ReleaseAsync(string role, string leaseId, CancellationToken cancellationToken);
}
