using Microsoft.DurableTask;

namespace AgentFunctions.Orchestration;

/// <summary>
/// The Durable retry policy of bookkeeping activities. A role's attempts are not retried by a policy: the
/// orchestrators run each attempt themselves (see <c>AgentTaskRun</c> and <see cref="RemoteRoleOrchestrator"/>).
/// </summary>
public static class RetryPolicies
{
    /// <summary>Dead letters, results and dispatches ride out a storage hiccup: 5 attempts, 5 s doubling to 1 min.</summary>
    public static TaskOptions SideEffects { get; } =
        TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(5), 2.0, TimeSpan.FromMinutes(1)));
}
