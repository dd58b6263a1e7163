namespace AgentFunctions.Orchestration;

/// <summary>
/// Output of the <c>DispatchRemoteAttempt</c> activity: the queue message id of the attempt, or, when the role's
/// circuit breaker is open, nothing sent and when to try again.
/// </summary>
public sealed record RemoteDispatch(string? MessageId, DateTimeOffset? HeldUntil);
