using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Api.Engine;

/// <summary>
/// What the HTTP API needs from a host's engine (Durable Functions or the Standalone server) about tasks: start,
/// read, list, raise approval and cancel, purge. Dead letters (<see cref="IDeadLetterEngine"/>), remote workers
/// (<see cref="IWorkerLeases"/>) and health and metrics (<see cref="IEngineMonitor"/>) are apart, so each group of
/// endpoints depends on what it calls and an engine can keep each side in its own class. Validation, parsing and
/// response shaping stay in the API; the engine only runs tasks.
/// </summary>
public interface ITaskEngine
{
    /// <summary>Starts a task unless one with the same id exists (then compares specs).</summary>
    Task<SubmitResult> SubmitAsync(TaskPlan plan, CancellationToken cancellationToken);

    Task<TaskSnapshot?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until the artifact files a task's committed state refers to are written (an engine may write
    /// them just after the commit that records them); completes at once where they are written first.
    /// </summary>
    Task WhenArtifactsWrittenAsync(string taskId, CancellationToken cancellationToken);

    Task<Core.Contracts.Page<TaskSnapshot>> ListAsync(TaskQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Raises an external event (<see cref="ApprovalDecided"/> or <see cref="CancelRequested"/>). An engine that
    /// decides at once says whether the task took it, so a decision that lost a race is not answered 202.
    /// </summary>
    Task<RaiseOutcome> RaiseAsync(string taskId, WorkflowEvent externalEvent, CancellationToken cancellationToken);

    /// <summary>Deletes a finished task and its history and artifacts.</summary>
    Task<PurgeOutcome> PurgeAsync(string taskId, CancellationToken cancellationToken);
}
