namespace AgentFunctions.Standalone.Engine;

/// <summary>What a committed batch asks the rest of the engine to do, gathered while it was applied.</summary>
public sealed class BatchEffects
{
    /// <summary>Entries whose state changed: publish their committed state.</summary>
    public List<TaskEntry> Changed { get; } = [];

    /// <summary>Entries that finished: stop holding them in memory.</summary>
    public List<TaskEntry> Finished { get; } = [];

    /// <summary>New work to schedule.</summary>
    public List<WorkItem> Scheduled { get; } = [];

    /// <summary>Leases granted or extended in this batch.</summary>
    public List<WorkItem> Leased { get; } = [];

    /// <summary>Leases handed back by their worker (the attempt is offered again).</summary>
    public List<(WorkItem Item, string LeaseId)> Released { get; } = [];

    /// <summary>Leased work that was withdrawn (its task ended or the role was canceled).</summary>
    public List<WorkItem> Withdrawn { get; } = [];

    /// <summary>In-flight local attempts to stop.</summary>
    public List<(string TaskId, string Role, int Attempt)> Canceled { get; } = [];

    public List<OutboxItem> Outbox { get; } = [];

    /// <summary>Roles dead-lettered in this batch (for the per-role counters).</summary>
    public List<string> DeadLettered { get; } = [];

    /// <summary>Attempt outcomes counted in this batch (for the per-role counters).</summary>
    public List<AttemptCount> Attempts { get; } = [];

    /// <summary>Tasks purged in this batch.</summary>
    public List<string> Purged { get; } = [];

    public bool IsEmpty =>
        Changed.Count + Finished.Count + Scheduled.Count + Leased.Count + Released.Count + Withdrawn.Count + Canceled.Count + Outbox.Count + Purged.Count + DeadLettered.Count + Attempts.Count == 0;

    public void Clear()
    {
        Changed.Clear();
        Finished.Clear();
        Scheduled.Clear();
        Leased.Clear();
        Released.Clear();
        Withdrawn.Clear();
        Canceled.Clear();
        Outbox.Clear();
        Purged.Clear();
        DeadLettered.Clear();
        Attempts.Clear();
    }
}
