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

    // Completed (and replaced) on every enqueue: what a worker waiting for one task's attempt awaits.
    private TaskCompletionSource _enqueued = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Role { get; } = role;

    public void Enqueue(WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        TaskCompletionSource enqueued;
        lock (_lock)
        {
            _items.Enqueue(item, (-(int)item.Priority, item.DueAt.UtcTicks, item.Sequence));
            enqueued = _enqueued;
            _enqueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _available.Release();
        enqueued.TrySetResult();
    }

    /// <summary>
    /// Takes the live item of <paramref name="taskId"/> out of the queue, waiting up to <paramref name="wait"/> for
    /// one to arrive; null when none came. Leaves the rest of the queue in its order.
    /// </summary>
    public async Task<WorkItem?> TakeAsync(string taskId, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            Task enqueued;
            lock (_lock)
            {
                WorkItem? found = null;
                foreach (var (item, _) in _items.UnorderedItems)
                {
                    if (!item.Removed && item.TaskId == taskId)
                    {
                        found = item;
                        break;
                    }
                }

                // The semaphore keeps its count for the taken item: a dequeue that finds nothing waits again.
                if (found is not null && _items.Remove(found, out var taken, out _, ReferenceEqualityComparer.Instance))
                {
                    return taken;
                }

                enqueued = _enqueued.Task;
            }

            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                await enqueued.WaitAsync(remaining, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
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
                if (_items.TryDequeue(out var item, out _) && !item.Removed)
                {
                    return item;
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
