using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Runs callbacks at due times (retry backoffs, deadlines, approval timeouts, lease expiry) on one
/// background loop driven by a <see cref="TimeProvider"/> timer. Callbacks must be quick: they hand
/// work to a queue or the journal.
/// </summary>
public sealed partial class WorkScheduler : IDisposable
{
    private readonly PriorityQueue<Action, long> _due = new();
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

    public void At(DateTimeOffset due, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_lock)
        {
            var earliest = _due.TryPeek(out _, out var first) ? first : long.MaxValue;
            _due.Enqueue(callback, due.UtcTicks);
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
                while (_due.TryPeek(out var callback, out var due) && due <= now)
                {
                    _due.Dequeue();
                    ready.Add(callback);
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
                    LogCallbackFailed(ex);
                }
            }

            ready.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A scheduled callback failed")]
    private partial void LogCallbackFailed(Exception exception);
}
