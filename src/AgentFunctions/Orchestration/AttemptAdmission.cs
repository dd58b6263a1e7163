using AgentFunctions.Core.Resilience;

namespace AgentFunctions.Orchestration;

/// <summary>
/// Output of the <c>AdmitAttempt</c> activity: the circuit breaker's verdict, and for a held attempt when to ask again;
/// with the attempt it answers for (the Durable history keeps outputs, not inputs).
/// </summary>
public sealed record AttemptAdmission(CircuitVerdict Verdict, DateTimeOffset? HeldUntil)
{
    public string? Role { get; init; }

    public int Attempt { get; init; }
}
