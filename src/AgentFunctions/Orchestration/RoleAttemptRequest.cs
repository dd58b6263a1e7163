using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Orchestration;

/// <summary>Input of the <c>RunRoleAttempt</c> activity: the attempt envelope the runner receives.</summary>
public sealed record RoleAttemptRequest(AgentAttempt Attempt)
{
    /// <summary>The task's trace: the activity records the attempt's span under it.</summary>
    public TraceContext? Trace { get; init; }
}
