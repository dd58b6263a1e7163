namespace AgentFunctions.Core.Resilience;

/// <summary>Attempt outcomes counted in one slice of the sampling window, from <see cref="Start"/>.</summary>
public sealed record CircuitBucket(DateTimeOffset Start, int Successes, int Failures);
