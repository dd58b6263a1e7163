using System.Collections.Concurrent;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// What a batch changed in memory, kept until it commits, so that a batch whose commit failed on a full disk can be
/// taken back: every task it touched as it was before its first change, the tasks it started, and its changes to the
/// "finishing" set. Recorded and undone on the journal's apply thread only.
/// </summary>
internal sealed class BatchUndo
{
    private readonly Dictionary<TaskEntry, EntrySnapshot> _touched = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<TaskEntry> _started = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _finishingAdded = [];
    private readonly List<(string Id, (string SpecHash, long Batch) Value)> _finishingRemoved = [];

    /// <summary>Remembers <paramref name="entry"/> as it is, the first time the batch reaches it.</summary>
    public void Touch(TaskEntry entry)
    {
        if (!_started.Contains(entry) && !_touched.ContainsKey(entry))
        {
            _touched[entry] = EntrySnapshot.Of(entry);
        }
    }

    public void Started(TaskEntry entry) => _started.Add(entry);

    public void FinishingAdded(string id) => _finishingAdded.Add(id);

    public void FinishingRemoved(string id, (string SpecHash, long Batch) value) => _finishingRemoved.Add((id, value));

    /// <summary>
    /// Puts memory back as it was before the batch. Work the batch withdrew is live again and is added to
    /// <paramref name="revived"/> (a queue or timer may have dropped it meanwhile); work it created is withdrawn.
    /// </summary>
    public void Restore(Dictionary<string, TaskEntry> active, ConcurrentDictionary<string, (string SpecHash, long Batch)> finishing, long batchNumber, List<WorkItem> revived)
    {
        foreach (var (entry, snapshot) in _touched)
        {
            snapshot.Restore(entry, revived);
            active[entry.Id] = entry;
        }

        foreach (var entry in _started)
        {
            if (active.TryGetValue(entry.Id, out var current) && ReferenceEquals(current, entry))
            {
                active.Remove(entry.Id);
            }

            foreach (var item in entry.Work.Values)
            {
                item.Removed = true;
            }
        }

        foreach (var id in _finishingAdded)
        {
            if (finishing.TryGetValue(id, out var value) && value.Batch == batchNumber)
            {
                finishing.TryRemove(KeyValuePair.Create(id, value));
            }
        }

        foreach (var (id, value) in _finishingRemoved)
        {
            finishing.TryAdd(id, value);
        }
    }

    /// <summary>A task entry and its work items as they were.</summary>
    private sealed class EntrySnapshot
    {
        private TaskState _state = null!;
        private bool _isNew;
        private KeyValuePair<(WorkKind, string), WorkItem>[] _work = [];
        private KeyValuePair<(WorkKind, string), WorkItem>[] _persisted = [];
        private ItemFields[] _items = [];

        public static EntrySnapshot Of(TaskEntry entry) => new()
        {
            _state = entry.State,
            _isNew = entry.IsNew,
            _work = [.. entry.Work],
            _persisted = [.. entry.PersistedWork],
            _items = entry.Work.Values.Concat(entry.PersistedWork.Values).Distinct(ReferenceEqualityComparer.Instance).Cast<WorkItem>().Select(ItemFields.Of).ToArray(),
        };

        public void Restore(TaskEntry entry, List<WorkItem> revived)
        {
            var known = new HashSet<WorkItem>(_items.Select(f => f.Item), ReferenceEqualityComparer.Instance);
            foreach (var item in entry.Work.Values.Where(item => !known.Contains(item)))
            {
                // Made by the batch being undone: it never existed.
                item.Removed = true;
            }

            foreach (var fields in _items)
            {
                if (fields.Item.Removed && !fields.Removed)
                {
                    revived.Add(fields.Item);
                }

                fields.Restore();
            }

            entry.State = _state;
            entry.IsNew = _isNew;
            entry.Work.Clear();
            foreach (var (key, item) in _work)
            {
                entry.Work[key] = item;
            }

            entry.PersistedWork.Clear();
            foreach (var (key, item) in _persisted)
            {
                entry.PersistedWork[key] = item;
            }
        }
    }

    /// <summary>The mutable fields of a work item.</summary>
    private readonly record struct ItemFields(
        WorkItem Item,
        string? LeaseId,
        DateTimeOffset? LeaseExpiresAt,
        string? WorkerId,
        TimeSpan? LeaseDuration,
        DateTimeOffset? LeasedAt,
        bool Dirty,
        bool Canceled,
        bool Removed)
    {
        public static ItemFields Of(WorkItem item) =>
            new(item, item.LeaseId, item.LeaseExpiresAt, item.WorkerId, item.LeaseDuration, item.LeasedAt, item.Dirty, item.Canceled, item.Removed);

        public void Restore()
        {
            Item.LeaseId = LeaseId;
            Item.LeaseExpiresAt = LeaseExpiresAt;
            Item.WorkerId = WorkerId;
            Item.LeaseDuration = LeaseDuration;
            Item.LeasedAt = LeasedAt;
            Item.Dirty = Dirty;
            Item.Canceled = Canceled;
            Item.Removed = Removed;
        }
    }
}
