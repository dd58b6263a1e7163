namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Counts outbox writes not yet done, per task, so a reader can wait for a task's file work (dead letters, a purge's
/// file removal, artifact writes an older database still promised) to catch up with its committed state; and bounds
/// the backlog: file writes run behind task processing, and past <see cref="HighWater"/> new tasks wait for them.
/// </summary>
public sealed class PendingWrites
{
    /// <summary>Pending writes (each holds its payload in memory) at which submits start to wait, until half are done.</summary>
    public const int HighWater = 40_000;

    private TaskCompletionSource? _drained;

    private readonly Dictionary<string, (int Count, TaskCompletionSource Done)> _byTask = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _total;
    private int _deadLetters;
    private TaskCompletionSource _deadLettersIdle = NewDone();

    public int Total => Volatile.Read(ref _total);

    /// <param name="deadLetter">The write creates or changes a dead-letter record.</param>
    public void Add(string taskId, bool deadLetter)
    {
        lock (_lock)
        {
            if (deadLetter && _deadLetters++ == 0)
            {
                _deadLettersIdle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _total++;
            if (_total > HighWater && _drained is null)
            {
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _byTask[taskId] = _byTask.TryGetValue(taskId, out var current)
                ? (current.Count + 1, current.Done)
                : (1, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }

    public void Done(string taskId, bool deadLetter)
    {
        lock (_lock)
        {
            if (deadLetter && --_deadLetters == 0)
            {
                _deadLettersIdle.TrySetResult();
            }

            if (_byTask.TryGetValue(taskId, out var current))
            {
                if (current.Count <= 1)
                {
                    _byTask.Remove(taskId);
                    current.Done.TrySetResult();
                }
                else
                {
                    _byTask[taskId] = (current.Count - 1, current.Done);
                }
            }

            _total--;
            if (_drained is not null && _total <= HighWater / 2)
            {
                _drained.TrySetResult();
                _drained = null;
            }
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until the task's pending writes are done.</summary>
    public Task WhenDoneAsync(string taskId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task done;
        lock (_lock)
        {
            if (!_byTask.TryGetValue(taskId, out var current))
            {
                return Task.CompletedTask;
            }

            done = current.Done.Task;
        }

        return WaitAtMostAsync(done, timeout, cancellationToken);
    }

    /// <summary>Completes at once unless the backlog passed <see cref="HighWater"/>; then when half of it is done.</summary>
    public Task WhenBacklogAllowsAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _drained is null ? Task.CompletedTask : _drained.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until every promised dead-letter write is done.</summary>
    public Task WhenDeadLettersWrittenAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task idle;
        lock (_lock)
        {
            idle = _deadLettersIdle.Task;
        }

        return WaitAtMostAsync(idle, timeout, cancellationToken);
    }

    /// <summary>
    /// Waits for <paramref name="writes"/> at most <paramref name="timeout"/>. However the wait ends (done, timed out,
    /// canceled) the reader goes on with what is on disk, so the outcome is suppressed, as the outbox does at shutdown.
    /// </summary>
    private static async Task WaitAtMostAsync(Task writes, TimeSpan timeout, CancellationToken cancellationToken) =>
        await writes.WaitAsync(timeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private static TaskCompletionSource NewDone()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }
}
