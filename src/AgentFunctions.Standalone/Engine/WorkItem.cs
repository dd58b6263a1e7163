using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// One row of scheduled work. Identity fields never change; a new attempt or a new gate is a new
/// item. Lease fields change only on the journal's apply thread; other threads read them.
/// </summary>
public sealed class WorkItem
{
    private static long _sequence;

    public WorkItem(string taskId, WorkKind kind, string role, int attempt, DateTimeOffset dueAt, TaskPriority priority, DateTimeOffset createdAt)
    {
        TaskId = taskId;
        Kind = kind;
        Role = role;
        Attempt = attempt;
        DueAt = dueAt;
        Priority = priority;
        CreatedAt = createdAt;
        Sequence = Interlocked.Increment(ref _sequence);
    }

    public string TaskId { get; }

    public WorkKind Kind { get; }

    /// <summary>The role, or empty for task-level work (deadline, task gate).</summary>
    public string Role { get; }

    public int Attempt { get; }

    public DateTimeOffset DueAt { get; }

    public TaskPriority Priority { get; }

    /// <summary>When the work was scheduled (the age of waiting work is measured from here).</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>FIFO order among equal priority and due time.</summary>
    public long Sequence { get; }

    /// <summary>
    /// For an attempt: the capabilities whoever runs it must have (the task's and its stage's <c>requires</c>, sorted),
    /// recomputed from the task when work is recovered (not persisted).
    /// </summary>
    public IReadOnlyList<string> Requires { get; set; } = [];

    /// <summary>The attempt is the half-open circuit breaker's probe (not persisted: a restart frees the probe slot).</summary>
    public bool Probe { get; set; }

    public string? LeaseId { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }

    public string? WorkerId { get; set; }

    /// <summary>The lease length this worker asked for, when shorter than the role's (persisted, so a restart keeps it).</summary>
    public TimeSpan? LeaseDuration { get; set; }

    /// <summary>When this process handed the attempt to a worker (for latency; not persisted).</summary>
    public DateTimeOffset? LeasedAt { get; set; }

    /// <summary>Needs writing in the next commit.</summary>
    public bool Dirty { get; set; } = true;

    /// <summary>Withdrawn because its task ended or its role was canceled (not because it was retried).</summary>
    public bool Canceled { get; set; }

    /// <summary>No longer wanted (its attempt settled, its task ended); queues skip it.</summary>
    public bool Removed
    {
        get => Volatile.Read(ref _removed);
        set => Volatile.Write(ref _removed, value);
    }

    private bool _removed;
    private int _queued;

    /// <summary>Marks the item as sitting in a role queue; false when it already is (an item is never queued twice).</summary>
    internal bool TryMarkQueued() => Interlocked.Exchange(ref _queued, 1) == 0;

    /// <summary>Taken out of its role queue.</summary>
    internal void MarkDequeued() => Volatile.Write(ref _queued, 0);

    public (WorkKind Kind, string Role) Key => (Kind, Role);

    public override string ToString() => $"{TaskId}/{Kind}/{Role}#{Attempt}";
}
