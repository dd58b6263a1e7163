using AgentFunctions.Core.Runners;

namespace AgentFunctions.Core.Resilience;

/// <summary>How an agent's result counts for its role's circuit breaker.</summary>
public static class CircuitOutcomes
{
    public static CircuitOutcome Of(AgentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Status != AgentResultStatus.Failed ? CircuitOutcome.Success
            : result.Permanent ? CircuitOutcome.Ignored
            : CircuitOutcome.Failure;
    }
}
