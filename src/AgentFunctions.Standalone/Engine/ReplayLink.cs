namespace AgentFunctions.Standalone.Engine;

/// <summary>Outbox payload: mark a dead letter as replayed by the task that carries this item.</summary>
public sealed record ReplayLink(string DeadLetterId, DateTimeOffset At);
