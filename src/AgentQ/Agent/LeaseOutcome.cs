using AgentFunctions.Core.Workflow;

namespace AgentQ.Agent;

/// <summary>What <c>agentq heartbeat</c>, <c>complete</c> and <c>fail</c> print with <c>--json</c>.</summary>
/// <param name="Action">heartbeat, complete or fail.</param>
/// <param name="LeaseExpiresAt">After a heartbeat: the new expiry.</param>
/// <param name="Canceled">After a heartbeat: the task was canceled (the command exits 7).</param>
public sealed record LeaseOutcome(string Action, string TaskId, string Role, int Attempt, DateTimeOffset? LeaseExpiresAt = null, bool? Canceled = null)
{
    /// <summary>After a complete or fail: the task's state as read right after (null when the key may not read tasks).</summary>
    public AgentTaskStatus? TaskState { get; init; }

    /// <summary>After a complete or fail: the task had already ended canceled or expired, so the result was kept only as discarded (null when unread).</summary>
    public bool? Discarded { get; init; }
}
