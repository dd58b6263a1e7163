using AgentFunctions.Core.Retries;
using Microsoft.DurableTask;

namespace AgentFunctions.Orchestration;

/// <summary>
/// A role's <see cref="RetrySchedule"/> as a Durable <see cref="RetryPolicy"/> whose failure filter is the
/// orchestrator's own callback. Durable evaluates the filter in orchestrator code after every failed attempt
/// (see <see cref="RetryPolicies.ForRole"/>), so the callback sees each failure, in order, on every replay.
/// </summary>
public sealed class RoleRetryPolicy : RetryPolicy
{
    public RoleRetryPolicy(RetrySchedule schedule, Func<TaskFailureDetails, bool> onFailure)
        : base(
            Check(schedule).MaxAttempts,
            schedule.FirstDelay,
            schedule.BackoffCoefficient,
            schedule.MaxDelay < schedule.FirstDelay ? schedule.FirstDelay : schedule.MaxDelay)
    {
        ArgumentNullException.ThrowIfNull(onFailure);
        OnFailure = onFailure;
        HandleFailure = onFailure;
    }

    /// <summary>
    /// The callback behind <see cref="RetryPolicy.HandleFailure"/> (which can only be set): true retries the failed
    /// attempt after the schedule's delay, false gives up and lets the activity's failure reach the orchestrator.
    /// </summary>
    public Func<TaskFailureDetails, bool> OnFailure { get; }

    private static RetrySchedule Check(RetrySchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule;
    }
}
