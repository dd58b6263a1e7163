namespace AgentFunctions.Core.Retries;

/// <summary>Why one attempt of a role failed.</summary>
public sealed record AttemptFailure(int Attempt, DateTimeOffset At, FailureKind Kind, string Message);
