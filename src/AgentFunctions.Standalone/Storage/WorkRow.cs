using AgentFunctions.Standalone.Engine;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// A work item's persisted fields, copied when its batch is sealed: the item itself may change again
/// (a heartbeat, a release) before the commit thread writes the row.
/// </summary>
public readonly record struct WorkRow(
    string TaskId,
    WorkKind Kind,
    string Role,
    int Attempt,
    DateTimeOffset DueAt,
    int Priority,
    DateTimeOffset CreatedAt,
    string? LeaseId,
    DateTimeOffset? LeaseExpiresAt,
    string? WorkerId,
    TimeSpan? LeaseDuration)
{
    public static WorkRow Of(WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new(item.TaskId, item.Kind, item.Role, item.Attempt, item.DueAt, (int)item.Priority, item.CreatedAt, item.LeaseId, item.LeaseExpiresAt, item.WorkerId, item.LeaseDuration);
    }
}
