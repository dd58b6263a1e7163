namespace AgentFunctions.Core.Resilience;

/// <summary>The breaker after an outcome was recorded, and the transition it made.</summary>
public sealed record CircuitChange(CircuitState State, CircuitTransition Transition);
