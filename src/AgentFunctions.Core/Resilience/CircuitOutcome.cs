namespace AgentFunctions.Core.Resilience;

/// <summary>How an attempt ended, as the breaker counts it; permanent failures are not counted (<see cref="Ignored"/>).</summary>
public enum CircuitOutcome
{
    Success,
    Failure,

    /// <summary>A permanent failure: the dependency answered, the request was at fault.</summary>
    Ignored,
}
