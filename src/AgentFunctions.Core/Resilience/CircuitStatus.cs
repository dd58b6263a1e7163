namespace AgentFunctions.Core.Resilience;

/// <summary>Where a role's circuit breaker is: closed (attempts run), open (held), half-open (one probe runs).</summary>
public enum CircuitStatus
{
    Closed,
    Open,
    HalfOpen,
}
