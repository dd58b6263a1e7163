namespace AgentFunctions.Orchestration;

/// <summary>
/// Output of the <c>DispatchRemoteAttempt</c> activity: the send receipt of the attempt's queue message (a
/// <c>LeaseToken</c>, see <see cref="RemoteAttemptStatus.Queued"/>), or, when the role's circuit breaker is open,
/// nothing sent and when to try again.
/// </summary>
public sealed record RemoteDispatch(string? Queued, DateTimeOffset? HeldUntil);
