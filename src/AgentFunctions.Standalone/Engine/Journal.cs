using System.Threading.Channels;
using AgentFunctions.Standalone.Storage;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The single writer of the Standalone engine. Operations queue up; one thread applies as many as
/// are waiting in a single SQLite transaction (group commit), then answers each of them. Nobody is
/// told "done" before the commit that made it durable.
/// </summary>
public sealed partial class Journal : IDisposable
{
    private readonly Channel<JournalOperation> _queue = Channel.CreateUnbounded<JournalOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, TaskEntry> _active = new(StringComparer.Ordinal);
    private readonly TaskDatabase _database;
    private TaskWriter? _writer;
    private readonly TimeProvider _time;
    private readonly int _maxBatch;
    private readonly ILogger<Journal> _logger;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<BatchEffects>? _onCommitted;
    private Thread? _thread;
    private volatile Exception? _fault;

    public Journal(TaskDatabase database, TimeProvider time, StandaloneOptions options, ILogger<Journal> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _time = time;
        _maxBatch = options.MaxBatchSize;
        _logger = logger;
    }

    /// <summary>Set when a commit failed; the engine stops rather than run on with memory ahead of disk.</summary>
    public Exception? Fault => _fault;

    /// <summary>Batches committed so far, and operations in them (for metrics and the benchmark).</summary>
    public long Commits { get; private set; }

    public long Operations { get; private set; }

    /// <summary>Time spent applying operations and writing rows, and time spent in COMMIT (the fsync).</summary>
    public TimeSpan ApplyTime => TimeSpan.FromTicks(Interlocked.Read(ref _applyTicks));

    public TimeSpan CommitTime => TimeSpan.FromTicks(Interlocked.Read(ref _commitTicks));

    public TimeSpan EffectsTime => TimeSpan.FromTicks(Interlocked.Read(ref _effectsTicks));

    private long _applyTicks;
    private long _commitTicks;
    private long _effectsTicks;

    /// <summary>Takes over the recovered tasks and starts the writer thread.</summary>
    public void Start(IEnumerable<TaskEntry> recovered, Action<BatchEffects> onCommitted)
    {
        ArgumentNullException.ThrowIfNull(recovered);
        foreach (var entry in recovered)
        {
            _active[entry.Id] = entry;
        }

        _onCommitted = onCommitted;
        _writer = new TaskWriter(_database);
        _thread = new Thread(Run) { IsBackground = true, Name = "agentfunctions-journal" };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="operation"/> in the next batch; completes after its commit.</summary>
    public Task<T> ExecuteAsync<T>(Func<BatchContext, T> operation)
    {
        if (_fault is { } fault)
        {
            return Task.FromException<T>(new InvalidOperationException("The engine stopped after a storage failure.", fault));
        }

        var item = new JournalOperation<T>(operation);
        if (!_queue.Writer.TryWrite(item))
        {
            return Task.FromException<T>(new InvalidOperationException("The engine is shutting down."));
        }

        return item.Task;
    }

    /// <summary>Stops taking operations, commits those already queued, and ends the writer thread.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        return _thread is null ? Task.CompletedTask : _stopped.Task;
    }

    public void Dispose() => _writer?.Dispose();

    private void Run()
    {
        var batch = new List<JournalOperation>(_maxBatch);
        var effects = new BatchEffects();
        var writer = _writer!;
        var context = new BatchContext(_active, writer, effects, _time);
        try
        {
            while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                if (_fault is not null)
                {
                    batch.ForEach(op => op.Fail(new InvalidOperationException("The engine stopped after a storage failure.", _fault)));
                    batch.Clear();
                    continue;
                }

                CommitBatch(batch, writer, context, effects);
                batch.Clear();
                effects.Clear();
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void CommitBatch(List<JournalOperation> batch, TaskWriter writer, BatchContext context, BatchEffects effects)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            writer.Begin();
            foreach (var operation in batch)
            {
                operation.Run(context);
            }

            context.Flush();
            var applied = System.Diagnostics.Stopwatch.GetTimestamp();
            Interlocked.Add(ref _applyTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started, applied).Ticks);
            writer.Commit();
            Interlocked.Add(ref _commitTicks, System.Diagnostics.Stopwatch.GetElapsedTime(applied).Ticks);
        }
        catch (Exception ex)
        {
            // Memory may now be ahead of the database: stop, and let recovery start from what is on disk.
            writer.Rollback();
            _fault = ex;
            LogCommitFailed(ex, batch.Count);
            batch.ForEach(op => op.Fail(ex));
            return;
        }

        var effectsStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        context.Committed();
        Commits++;
        Operations += batch.Count;
        try
        {
            _onCommitted?.Invoke(effects);
        }
        catch (Exception ex)
        {
            LogEffectsFailed(ex);
        }

        batch.ForEach(op => op.Complete());
        Interlocked.Add(ref _effectsTicks, System.Diagnostics.Stopwatch.GetElapsedTime(effectsStarted).Ticks);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "A commit of {Count} operations failed; the engine stops and will recover from the database at the next start")]
    private partial void LogCommitFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Carrying out the effects of a commit failed")]
    private partial void LogEffectsFailed(Exception exception);
}
