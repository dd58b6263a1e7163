namespace AgentFunctions.Core.Runners;

/// <summary>
/// Carries out one attempt of a role in-process. Failures are returned as a result with status
/// <see cref="AgentResultStatus.Failed"/> (and <see cref="AgentResult.Permanent"/> when retrying is pointless);
/// an exception escaping a runner counts as a transient failure.
/// </summary>
public interface IAgentRunner
{
    Task<AgentResult> RunAsync(AgentAttempt attempt, CancellationToken cancellationToken);
}
