using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Orchestration;

/// <summary>
/// Input of the <c>RunRoleAttempt</c> activity: the attempt envelope the runner receives. <see cref="Admission"/> is the
/// circuit breaker's verdict when the orchestrator already asked (<c>AdmitAttempt</c>, after a hold); without it the
/// activity asks itself.
/// </summary>
public sealed record RoleAttemptRequest(AgentAttempt Attempt, CircuitVerdict? Admission = null)
{
    /// <summary>The task's trace: the activity records the attempt's span under it.</summary>
    public TraceContext? Trace { get; init; }
}
