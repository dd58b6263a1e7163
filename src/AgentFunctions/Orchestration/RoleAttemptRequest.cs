using AgentFunctions.Core.Runners;

namespace AgentFunctions.Orchestration;

/// <summary>Input of the <c>RunRoleAttempt</c> activity: the attempt envelope the runner receives.</summary>
public sealed record RoleAttemptRequest(AgentAttempt Attempt);
