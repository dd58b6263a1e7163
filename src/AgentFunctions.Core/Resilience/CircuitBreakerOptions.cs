namespace AgentFunctions.Core.Resilience;

/// <summary>
/// A role's circuit breaker (<c>Roles:&lt;name&gt;:CircuitBreaker:*</c>): it opens when, within the last
/// <see cref="SamplingDuration"/>, at least <see cref="MinimumThroughput"/> attempts ended and at least
/// <see cref="FailureRatio"/> of them failed (permanent failures do not count); it then holds the role's new attempts
/// for <see cref="BreakDuration"/> and lets one probe through.
/// </summary>
public sealed record CircuitBreakerOptions
{
    public static CircuitBreakerOptions Default { get; } = new();

    public bool Enabled { get; init; } = true;

    public double FailureRatio { get; init; } = 0.5;

    public int MinimumThroughput { get; init; } = 10;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);
}
