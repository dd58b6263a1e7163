using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Hosting;

namespace AgentFunctions.Orchestration;

/// <summary>
/// Input of the <c>DispatchRemoteAttempt</c> activity: one attempt of a remote role, and the sub-orchestration
/// that waits for its result.
/// </summary>
public sealed record RemoteWorkItem(string TaskId, string Role, int Attempt, string InstanceId, int LeaseSeconds, AgentAttempt Input)
{
    /// <summary>The work queue of the attempt: its role, priority and requirements.</summary>
    public WorkRoute Route => WorkQueues.RouteOf(Role, Input.Priority, Input.Requires);

    /// <summary>The task's trace, carried on the message so the lease API can record the attempt's span.</summary>
    public TraceContext? Trace { get; init; }

    public RemoteWorkMessage ToMessage() => new(TaskId, Role, Attempt, InstanceId, LeaseSeconds) { Queue = Route.QueueName, Trace = Trace };
}
