using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;

namespace AgentFunctions.Orchestration;

/// <summary>Input of the remote-role sub-orchestration: the first attempt, the schedule and the time limits.</summary>
public sealed record RemoteRoleRequest(AgentAttempt Attempt, RetrySchedule Schedule, int LeaseSeconds, int TimeoutSeconds);
