namespace AgentFunctions.Core.Resilience;

/// <summary>The answer to "may an attempt start now?": the verdict, the breaker after it, and for a held attempt when to ask again.</summary>
public sealed record CircuitAdmission(CircuitVerdict Verdict, CircuitState State, DateTimeOffset? HeldUntil)
{
    public bool Runs => Verdict != CircuitVerdict.Held;
}
