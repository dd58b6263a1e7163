using System.Collections.Concurrent;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Standalone.Engine;

/// <summary>Unfinished tasks as last committed: what readers and runners see without touching SQLite.</summary>
public sealed class ActiveTasks
{
    private readonly ConcurrentDictionary<string, TaskEntry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public TaskState? Find(string id) => _entries.TryGetValue(id, out var entry) ? entry.Committed : null;

    public IEnumerable<TaskState> All => _entries.Values.Select(e => e.Committed);

    /// <summary>Called on the journal's commit thread after a commit.</summary>
    public void Publish(TaskEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Committed.IsTerminal)
        {
            _entries.TryRemove(entry.Id, out _);
        }
        else
        {
            _entries[entry.Id] = entry;
        }
    }
}
