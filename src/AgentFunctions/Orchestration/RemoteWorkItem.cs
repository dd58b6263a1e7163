using AgentFunctions.Core.Runners;

namespace AgentFunctions.Orchestration;

/// <summary>
/// Input of the <c>DispatchRemoteAttempt</c> activity: one attempt of a remote role, and the sub-orchestration
/// that waits for its result.
/// </summary>
public sealed record RemoteWorkItem(string TaskId, string Role, int Attempt, string InstanceId, int LeaseSeconds, AgentAttempt Input)
{
    public RemoteWorkMessage ToMessage() => new(TaskId, Role, Attempt, InstanceId, LeaseSeconds);
}
