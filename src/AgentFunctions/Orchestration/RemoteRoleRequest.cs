using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;

namespace AgentFunctions.Orchestration;

/// <summary>
/// Input of the remote-role sub-orchestration: the first attempt (without its context and prompt, which the
/// dispatch activity fills in), the schedule and the role's lease.
/// </summary>
public sealed record RemoteRoleRequest(AgentAttempt Attempt, RetrySchedule Schedule, int LeaseSeconds);
