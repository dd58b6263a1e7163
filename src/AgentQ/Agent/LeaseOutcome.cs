namespace AgentQ.Agent;

/// <summary>What <c>agentq heartbeat</c>, <c>complete</c> and <c>fail</c> print with <c>--json</c>.</summary>
/// <param name="Action">heartbeat, complete or fail.</param>
/// <param name="LeaseExpiresAt">After a heartbeat: the new expiry.</param>
/// <param name="Canceled">After a heartbeat: the task was canceled (the command exits 7).</param>
public sealed record LeaseOutcome(string Action, string TaskId, string Role, int Attempt, DateTimeOffset? LeaseExpiresAt = null, bool? Canceled = null);
