using AgentFunctions.Standalone.Logging;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Runs callbacks at due times (retry backoffs, deadlines, approval timeouts, lease expiry) on one
/// background loop driven by a <see cref="TimeProvider"/> timer. Callbacks must be quick: they hand
/// work to a queue or the journal. A callback for a work item that has since been withdrawn would do
/// nothing; such entries are dropped as the queue grows, so a finished task's 30-day deadline does
/// not stay in memory for 30 days.
/// </summary>
public sealed class WorkScheduler : IDisposable
{
    private const int MinimumCompaction = 1024;
    private readonly PriorityQueue<(WorkItem? Owner, Action Callback), long> _due = new();
    private int _compactAt = MinimumCompaction;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TimeProvider _time;
    private readonly ILogger<WorkScheduler> _logger;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public WorkScheduler(TimeProvider time, ILogger<WorkScheduler> logger)
    {
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(_ => _wake.Release(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _due.Count;
            }
        }
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <param name="owner">The work item the callback is for: once it is removed, the callback may be dropped unrun.</param>
    public void At(DateTimeOffset due, Action callback, WorkItem? owner = null)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_lock)
        {
            if (_due.Count >= _compactAt)
            {
                Compact();
            }

            var earliest = _due.TryPeek(out _, out var first) ? first : long.MaxValue;
            _due.Enqueue((owner, callback), due.UtcTicks);
            if (due.UtcTicks >= earliest)
            {
                return;
            }
        }

        _wake.Release();
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync()
    {
        var ready = new List<Action>();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = _time.GetUtcNow().UtcTicks;
            lock (_lock)
            {
                while (_due.TryPeek(out var entry, out var due) && due <= now)
                {
                    _due.Dequeue();
                    ready.Add(entry.Callback);
                }

                if (_due.TryPeek(out _, out var next))
                {
                    // Timers take at most ~49 days; a longer wait simply wakes up early and re-arms.
                    _timer.Change(TimeSpan.FromTicks(Math.Clamp(next - now, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerDay * 30)), Timeout.InfiniteTimeSpan);
                }
            }

            foreach (var callback in ready)
            {
                try
                {
                    callback();
                }
                catch (Exception ex)
                {
                    _logger.ScheduledCallbackFailed(ex);
                }
            }

            ready.Clear();
        }
    }

    /// <summary>Drops the entries of withdrawn work; the next compaction waits until the queue doubles again.</summary>
    private void Compact()
    {
        var live = _due.UnorderedItems.Where(entry => entry.Element.Owner is not { Removed: true }).ToList();
        _due.Clear();
        _due.EnqueueRange(live.Select(entry => (entry.Element, entry.Priority)));
        _compactAt = Math.Max(MinimumCompaction, live.Count * 2);
    }
}
