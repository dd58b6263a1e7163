using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Orchestration;

/// <summary>
/// The message on a role's work queue. It stays small (a queue message holds 64 KiB): the attempt envelope,
/// with its prompt and context, is stored beside the task's artifacts and read when a worker leases it.
/// <see cref="Claimed"/> marks a message a worker took by task id (an update, which unlike a receive does not
/// count as a dequeue): seen again in a receive, its lease expired.
/// </summary>
public sealed record RemoteWorkMessage(string TaskId, string Role, int Attempt, string InstanceId, int LeaseSeconds, bool Claimed = false)
{
    /// <summary>The queue the message waits on (its route); the role's own queue when absent (messages from before routes).</summary>
    public string? Queue { get; init; }

    /// <summary>The task's trace (the attempt's span is its child); null on messages from before traces.</summary>
    public TraceContext? Trace { get; init; }
}
