using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Api.Engine;

/// <summary>
/// What the HTTP API needs from a host's engine (Durable Functions or the Standalone server).
/// Validation, parsing and response shaping stay in the API; the engine only runs tasks.
/// </summary>
public interface ITaskEngine
{
    /// <summary>Short engine name for health and metrics ("durable", "standalone").</summary>
    string Name { get; }

    /// <summary>Starts a task unless one with the same id exists (then compares specs).</summary>
    Task<SubmitResult> SubmitAsync(TaskPlan plan, CancellationToken cancellationToken);

    Task<TaskSnapshot?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until the artifact files a task's committed state refers to are written (an engine may write
    /// them just after the commit that records them); completes at once where they are written first.
    /// </summary>
    Task WhenArtifactsWrittenAsync(string taskId, CancellationToken cancellationToken);

    Task<Page<TaskSnapshot>> ListAsync(TaskQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Raises an external event (<see cref="ApprovalDecided"/> or <see cref="CancelRequested"/>). An engine that
    /// decides at once says whether the task took it, so a decision that lost a race is not answered 202.
    /// </summary>
    Task<RaiseOutcome> RaiseAsync(string taskId, WorkflowEvent externalEvent, CancellationToken cancellationToken);

    /// <summary>Deletes a finished task and its history and artifacts.</summary>
    Task<PurgeOutcome> PurgeAsync(string taskId, CancellationToken cancellationToken);

    Task<Page<DeadLetterRecord>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken);

    Task<DeadLetterRecord?> GetDeadLetterAsync(string id, CancellationToken cancellationToken);

    /// <summary>Submits a new task for the dead-lettered role and links both ways.</summary>
    Task<ReplayResult> ReplayDeadLetterAsync(string id, CancellationToken cancellationToken);

    Task<bool> DeleteDeadLetterAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Hands the next due attempt of a remote role to a worker, waiting up to <paramref name="wait"/>; null when none.
    /// <paramref name="leaseDuration"/> (already capped by the role's lease) replaces the role's lease when given.
    /// </summary>
    Task<LeaseGrant?> LeaseAsync(string role, string? workerId, TimeSpan wait, TimeSpan? leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends a lease; null when the lease is gone.</summary>
    Task<HeartbeatResponse?> HeartbeatAsync(string role, string leaseId, HeartbeatRequest heartbeat, CancellationToken cancellationToken);

    /// <summary>Accepts a worker's result; false when the lease is gone.</summary>
    Task<bool> CompleteAsync(string role, string leaseId, AgentResult result, CancellationToken cancellationToken);

    /// <summary>Accepts a worker's failure; false when the lease is gone.</summary>
    Task<bool> FailAsync(string role, string leaseId, FailRequest failure, CancellationToken cancellationToken);

    /// <summary>Gives an attempt back untouched (a worker shutting down): it is offered again and is not counted as a new attempt.</summary>
    Task<bool> ReleaseAsync(string role, string leaseId, CancellationToken cancellationToken);

    Task<MetricsSnapshot> GetMetricsAsync(CancellationToken cancellationToken);

    Task<HealthReport> CheckHealthAsync(CancellationToken cancellationToken);
}
