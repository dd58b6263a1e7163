namespace AgentFunctions.Orchestration;

/// <summary>Input of the <c>AdmitAttempt</c> activity: the held attempt that asks its role's circuit breaker to start.</summary>
public sealed record AdmitRequest(string Role, int Attempt);
