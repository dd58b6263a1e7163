using AgentFunctions.Core.Retries;
using Microsoft.DurableTask;

namespace AgentFunctions.Orchestration;

/// <summary>Durable retry policies: a role's schedule for its attempts, and a fixed one for bookkeeping activities.</summary>
public static class RetryPolicies
{
    /// <summary>
    /// The role's schedule as a Durable <see cref="RetryPolicy"/>: the same attempts, first delay, coefficient and
    /// cap as <see cref="RetrySchedule.DelayAfter"/>; permanent failures are not retried.
    /// </summary>
    public static RetryPolicy ForSchedule(RetrySchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var maxDelay = schedule.MaxDelay < schedule.FirstDelay ? schedule.FirstDelay : schedule.MaxDelay;
        return new RetryPolicy(schedule.MaxAttempts, schedule.FirstDelay, schedule.BackoffCoefficient, maxDelay)
        {
            HandleFailure = AttemptErrors.IsRetryable,
        };
    }

    /// <summary>Options for a role attempt activity.</summary>
    public static TaskOptions ForAttempt(RetrySchedule schedule) => TaskOptions.FromRetryPolicy(ForSchedule(schedule));

    /// <summary>Dead letters, results and dispatches ride out a storage hiccup: 5 attempts, 5 s doubling to 1 min.</summary>
    public static TaskOptions SideEffects { get; } =
        TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(5), 2.0, TimeSpan.FromMinutes(1)));
}
