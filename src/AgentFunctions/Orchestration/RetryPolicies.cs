using AgentFunctions.Core.Retries;
using Microsoft.DurableTask;

namespace AgentFunctions.Orchestration;

/// <summary>Durable retry policies: a role's schedule for its attempts, and a fixed one for bookkeeping activities.</summary>
public static class RetryPolicies
{
    /// <summary>
    /// The role's schedule as a Durable <see cref="RetryPolicy"/>: the same attempts, first delay, coefficient and cap
    /// as <see cref="RetrySchedule.DelayAfter"/>, with <paramref name="onFailure"/> deciding after each failure.
    /// </summary>
    /// <remarks>
    /// How Durable evaluates it (microsoft/durabletask-dotnet <c>TaskOrchestrationContextWrapper.CallActivityAsync</c>
    /// turns the policy into DurableTask.Core <c>RetryOptions</c> with <c>RetryPolicyExtensions.ToDurableTaskCoreRetryOptions</c>,
    /// whose <c>Handle</c> is the delegate <c>HandleFailure</c> sets; Azure/durabletask <c>RetryInterceptor&lt;T&gt;.Invoke</c>
    /// then loops up to <c>MaxNumberOfAttempts</c>: after each failure it calls <c>Handle</c> with the failure, inside the
    /// orchestrator's execution and again on every replay, and either waits <c>FirstRetryInterval × coefficient^(n−1)</c>
    /// (capped) on a durable timer or, when <c>Handle</c> answers false, rethrows at once. Whether <c>Handle</c> runs
    /// for the last allowed attempt differs between versions, so the orchestrator also copes without that call.
    /// </remarks>
    public static RoleRetryPolicy ForRole(RetrySchedule schedule, Func<TaskFailureDetails, bool> onFailure) => new(schedule, onFailure);

    /// <summary>Dead letters, results and dispatches ride out a storage hiccup: 5 attempts, 5 s doubling to 1 min.</summary>
    public static TaskOptions SideEffects { get; } =
        TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(5), 2.0, TimeSpan.FromMinutes(1)));
}
