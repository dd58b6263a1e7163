namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Due attempts of one role, highest priority first, then earliest due, then first scheduled.
/// Local runners and remote workers take from it; withdrawn items are skipped when they surface.
/// </summary>
public sealed class RoleQueue(string role)
{
    private readonly PriorityQueue<WorkItem, (int Priority, long Due, long Sequence)> _items = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly Lock _lock = new();

    public string Role { get; } = role;

    /// <summary>Adds an item unless it is queued already.</summary>
    public void Enqueue(WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!item.TryMarkQueued())
        {
            return;
        }

        lock (_lock)
        {
            _items.Enqueue(item, (-(int)item.Priority, item.DueAt.UtcTicks, item.Sequence));
        }

        _available.Release();
    }

    /// <summary>The next live item, waiting up to <paramref name="wait"/>; null when none came.</summary>
    public async Task<WorkItem?> DequeueAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            var remaining = wait == Timeout.InfiniteTimeSpan ? Timeout.Infinite : (int)Math.Max(0, deadline - Environment.TickCount64);
            if (!await _available.WaitAsync(remaining, cancellationToken))
            {
                return null;
            }

            lock (_lock)
            {
                if (_items.TryDequeue(out var item, out _))
                {
                    item.MarkDequeued();
                    if (!item.Removed)
                    {
                        return item;
                    }
                }
            }
        }
    }

    /// <summary>Live items waiting, and since when the longest-waiting one has been due.</summary>
    public (int Depth, DateTimeOffset? OldestDueSince) Snapshot()
    {
        lock (_lock)
        {
            var depth = 0;
            DateTimeOffset? oldest = null;
            foreach (var (item, _) in _items.UnorderedItems)
            {
                if (item.Removed)
                {
                    continue;
                }

                // A retry waits in the queue only once due: its backoff is not waiting time.
                depth++;
                var since = item.DueAt > item.CreatedAt ? item.DueAt : item.CreatedAt;
                if (oldest is null || since < oldest)
                {
                    oldest = since;
                }
            }

            return (depth, oldest);
        }
    }
}
