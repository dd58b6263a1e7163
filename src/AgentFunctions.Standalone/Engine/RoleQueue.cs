using AgentFunctions.Core.Resilience;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Due attempts of one role, handed to local runner loops and remote workers: the highest priority first, then the
/// earliest due, then the first scheduled, among the attempts whose requirements the taker's capabilities cover.
/// Attempts are kept in one priority queue per set of requirements, so a taker looks only at the heads of the sets
/// it can serve; takers that find nothing wait in line and are handed the next attempt they can take. A taker may ask
/// for one task's attempt only (a worker that names the task it works on). While the role's
/// circuit breaker holds, nothing is handed out; withdrawn attempts are skipped when they surface.
/// </summary>
public sealed class RoleQueue(string role, RoleCircuit? circuit = null, TimeProvider? time = null)
{
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Role { get; } = role;

    public RoleCircuit? Circuit => circuit;

    /// <summary>
    /// Adds a due attempt: straight to the first waiting taker that can take it, unless the circuit breaker holds it
    /// (then <see cref="RoleCircuit.OnHeld"/> hears of it), else into its requirement set's queue. An item already
    /// queued is not added again.
    /// </summary>
    public void Enqueue(WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!item.TryMarkQueued())
        {
            return;
        }

        DateTimeOffset? heldUntil = null;
        lock (_lock)
        {
            heldUntil = circuit?.HoldsUntil(_time.GetUtcNow());
            if (heldUntil is null)
            {
                for (var node = _waiters.First; node is not null; node = node.Next)
                {
                    if (!node.Value.Accepts(item))
                    {
                        continue;
                    }

                    if (!Admit(item))
                    {
                        break;
                    }

                    _waiters.Remove(node);
                    item.MarkDequeued();
                    node.Value.Handed.SetResult(item);
                    return;
                }
            }

            Store(item);
        }

        if (heldUntil is { } until)
        {
            circuit!.OnHeld([item], until);
        }
    }

    /// <summary>
    /// The next live attempt that <paramref name="capabilities"/> cover (of task <paramref name="taskId"/> only, when
    /// given), waiting up to <paramref name="wait"/> (<see cref="Timeout.InfiniteTimeSpan"/> for ever); null when none came.
    /// </summary>
    public async Task<WorkItem?> TakeAsync(IReadOnlySet<string> capabilities, TimeSpan wait, CancellationToken cancellationToken, string? taskId = null)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        Waiter waiter;
        lock (_lock)
        {
            if (TakeLocked(capabilities, taskId) is { } ready)
            {
                return ready;
            }

            if (wait == TimeSpan.Zero)
            {
                return null;
            }

            waiter = new Waiter(capabilities, taskId);
            waiter.Node = _waiters.AddLast(waiter);
        }

        try
        {
            return wait == Timeout.InfiniteTimeSpan
                ? await waiter.Handed.Task.WaitAsync(cancellationToken)
                : await waiter.Handed.Task.WaitAsync(wait, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (waiter.Node!.List is not null)
                {
                    _waiters.Remove(waiter.Node);
                }
            }

            // Handed an attempt just as the wait ended: never lose it.
            if (waiter.Handed.Task.IsCompletedSuccessfully)
            {
                var item = waiter.Handed.Task.Result;
                if (ex is TimeoutException)
                {
                    return item;
                }

                Requeue(item);
            }

            if (ex is TimeoutException)
            {
                return null;
            }

            throw;
        }
    }

    /// <summary>Hands waiting attempts to waiting takers again: after the circuit breaker stops holding.</summary>
    public void Pump()
    {
        lock (_lock)
        {
            for (var node = _waiters.First; node is not null;)
            {
                var next = node.Next;
                if (TakeLocked(node.Value.Capabilities, node.Value.TaskId) is { } item)
                {
                    _waiters.Remove(node);
                    node.Value.Handed.SetResult(item);
                }
                else if (circuit?.HoldsUntil(_time.GetUtcNow()) is not null)
                {
                    return;
                }

                node = next;
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
            foreach (var group in _groups.Values)
            {
                foreach (var (item, _) in group.Items.UnorderedItems)
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
            }

            return (depth, oldest);
        }
    }

    /// <summary>The live attempts waiting now (for the circuit breaker's hold and release events).</summary>
    public List<WorkItem> Waiting()
    {
        lock (_lock)
        {
            return _groups.Values.SelectMany(g => g.Items.UnorderedItems.Select(e => e.Element)).Where(i => !i.Removed).ToList();
        }
    }

    private static bool Covers(IReadOnlySet<string> capabilities, IReadOnlyList<string> requires)
    {
        foreach (var needed in requires)
        {
            if (!capabilities.Contains(needed))
            {
                return false;
            }
        }

        return true;
    }

    private static (int Priority, long Due, long Sequence) Order(WorkItem item) => (-(int)item.Priority, item.DueAt.UtcTicks, item.Sequence);

    private void Store(WorkItem item)
    {
        var key = string.Join(',', item.Requires);
        if (!_groups.TryGetValue(key, out var group))
        {
            _groups[key] = group = new Group(item.Requires);
        }

        group.Items.Enqueue(item, Order(item));
    }

    private void Requeue(WorkItem item)
    {
        if (item.Probe)
        {
            item.Probe = false;
            circuit?.ReleaseProbe();
        }

        Enqueue(item);
    }

    /// <summary>The circuit breaker's word on handing out <paramref name="item"/> now; marks a probe.</summary>
    private bool Admit(WorkItem item)
    {
        if (circuit is null)
        {
            return true;
        }

        var verdict = circuit.Admit(_time.GetUtcNow());
        item.Probe = verdict == CircuitVerdict.Probe;
        return verdict != CircuitVerdict.Held;
    }

    private WorkItem? TakeLocked(IReadOnlySet<string> capabilities, string? taskId)
    {
        if (taskId is not null)
        {
            return TakeTaskLocked(capabilities, taskId);
        }

        Group? best = null;
        (int, long, long) bestOrder = default;
        foreach (var group in _groups.Values)
        {
            if (!Covers(capabilities, group.Requires))
            {
                continue;
            }

            while (group.Items.TryPeek(out var head, out var order))
            {
                if (!head.Removed)
                {
                    if (best is null || order.CompareTo(bestOrder) < 0)
                    {
                        best = group;
                        bestOrder = order;
                    }

                    break;
                }

                group.Items.Dequeue().MarkDequeued();
            }
        }

        if (best is null || !Admit(best.Items.Peek()))
        {
            return null;
        }

        var taken = best.Items.Dequeue();
        taken.MarkDequeued();
        return taken;
    }

    /// <summary>The live attempt of one task that <paramref name="capabilities"/> cover, out of its queue; the rest keep their order.</summary>
    private WorkItem? TakeTaskLocked(IReadOnlySet<string> capabilities, string taskId)
    {
        foreach (var group in _groups.Values)
        {
            if (!Covers(capabilities, group.Requires))
            {
                continue;
            }

            foreach (var (item, _) in group.Items.UnorderedItems)
            {
                if (!item.Removed && item.TaskId == taskId)
                {
                    if (!Admit(item) || !group.Items.Remove(item, out var taken, out _, ReferenceEqualityComparer.Instance))
                    {
                        return null;
                    }

                    taken.MarkDequeued();
                    return taken;
                }
            }
        }

        return null;
    }

    private sealed class Group(IReadOnlyList<string> requires)
    {
        public IReadOnlyList<string> Requires { get; } = requires;

        public PriorityQueue<WorkItem, (int Priority, long Due, long Sequence)> Items { get; } = new();
    }

    private sealed class Waiter(IReadOnlySet<string> capabilities, string? taskId)
    {
        public IReadOnlySet<string> Capabilities { get; } = capabilities;

        /// <summary>Only this task's attempt, when set.</summary>
        public string? TaskId { get; } = taskId;

        public TaskCompletionSource<WorkItem> Handed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public bool Accepts(WorkItem item) => (TaskId is null || TaskId == item.TaskId) && Covers(Capabilities, item.Requires);
    }
}
