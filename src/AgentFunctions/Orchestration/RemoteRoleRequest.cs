using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Orchestration;

/// <summary>
/// Input of the remote-role sub-orchestration: the first attempt (without its context and prompt, which the
/// dispatch activity fills in), the schedule and the role's lease. An episode that continued as new also carries
/// where it left off (<see cref="Resume"/>).
/// </summary>
public sealed record RemoteRoleRequest(AgentAttempt Attempt, RetrySchedule Schedule, int LeaseSeconds)
{
    /// <summary>The attempt already on the work queue when the previous episode continued as new; null on the first episode.</summary>
    public RemoteRoleResume? Resume { get; init; }

    /// <summary>The task's trace: each attempt's context is derived from it (<see cref="Core.Prompts.AttemptFactory.Renumber"/>).</summary>
    public TraceContext? Trace { get; init; }
}
