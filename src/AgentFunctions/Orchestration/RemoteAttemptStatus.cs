using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Orchestration;

/// <summary>
/// Custom status of a remote-role sub-orchestration: the attempt it waits for. The lease API drops queue
/// messages of any other attempt (superseded after a timeout) instead of handing them to a worker.
/// <see cref="Queued"/> is the send receipt of the attempt's queue message (a <c>LeaseToken</c> of its id and pop
/// receipt): with it the lease API takes exactly this message for a worker that names the task. It is stale once
/// any worker received the message, and null until the message is sent.
/// </summary>
public sealed record RemoteAttemptStatus(string TaskId, string Role, int Attempt, string? Queued = null)
{
    /// <summary>The task's trace, so an attempt taken by its task id (not from a work message) still records its span.</summary>
    public TraceContext? Trace { get; init; }
}
