using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Api.Engine;
using AgentFunctions.Standalone.Logging;
using AgentFunctions.Standalone.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The single writer of the Standalone engine, in two stages. The apply thread runs queued
/// operations against the in-memory tasks and records the rows they change; the commit thread
/// writes a sealed batch in one SQLite transaction (group commit), then carries out its effects
/// and answers its operations. While one batch is being committed (the fsync), the next one fills
/// up, so the disk's commit latency and the CPU work of applying overlap. Nobody is told "done",
/// and no effect happens, before the commit that made it durable. A commit that fails because the disk
/// is full is taken back out of memory (with the batch applied on top of it) and its callers are
/// answered 507; any other storage failure stops the engine.
/// </summary>
public sealed class Journal : IDisposable
{
    private const int MaxCommitLinks = 32;

    private readonly Channel<JournalOperation> _queue = Channel.CreateUnbounded<JournalOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, TaskEntry> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string SpecHash, long Batch)> _finishing = new(StringComparer.Ordinal);
    private readonly TaskDatabase _database;
    private readonly TimeProvider _time;
    private readonly int _maxBatch;
    private readonly bool _mirrorArtifacts;
    private readonly ILogger<Journal> _logger;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DiskSpace _disk;

    // A batch whose commit failed on a full disk, left by the commit thread for the apply thread to undo.
    private (SealedBatch Batch, Exception Error)? _failedOnFullDisk;
    private readonly Lock _failedLock = new();

    // The hand-over between the two threads: one sealed batch at a time.
    private readonly SemaphoreSlim _sealed = new(0);
    private readonly ManualResetEventSlim _committerIdle = new(initialState: true);
    private SealedBatch? _handedOver;
    private bool _closing;

    private TaskWriter? _writer;
    private SpecHashLookup? _specHashes;
    private Action<BatchEffects>? _onCommitted;
    private Action<BatchEffects>? _onDurable;
    private Action<Exception>? _onFault;
    private Action<IReadOnlyList<WorkItem>>? _onUndone;
    private Exception? _fault;
    private long _commits;
    private long _operations;
    private long _applyTicks;
    private long _writeTicks;
    private long _commitTicks;
    private long _effectsTicks;
    private long _walBytes;

    public Journal(TaskDatabase database, TimeProvider time, StandaloneOptions options, DiskSpace disk, ILogger<Journal> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _disk = disk;
        _time = time;
        _maxBatch = options.MaxBatchSize;
        _mirrorArtifacts = options.MirrorArtifactsToFiles;
        _logger = logger;
    }

    /// <summary>Set when a commit failed; the engine stops rather than run on with memory ahead of disk.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Batches committed so far, and operations in them (for metrics and the benchmark).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public long Operations => Interlocked.Read(ref _operations);

    /// <summary>Time spent applying operations (apply thread).</summary>
    public TimeSpan ApplyTime => TimeSpan.FromTicks(Interlocked.Read(ref _applyTicks));

    /// <summary>Time spent writing rows, and in COMMIT (the fsync), on the commit thread.</summary>
    public TimeSpan WriteTime => TimeSpan.FromTicks(Interlocked.Read(ref _writeTicks));

    public TimeSpan CommitTime => TimeSpan.FromTicks(Interlocked.Read(ref _commitTicks));

    public TimeSpan EffectsTime => TimeSpan.FromTicks(Interlocked.Read(ref _effectsTicks));

    /// <summary>Bytes of database pages committed batches appended to the write-ahead log (for the benchmark).</summary>
    public long WalBytesWritten => Interlocked.Read(ref _walBytes);

    /// <summary>Takes over the recovered tasks and starts both threads.</summary>
    /// <param name="lastOutboxId">The highest outbox row id on disk; new rows are numbered after it.</param>
    /// <param name="onCommitted">Carries out a batch's effects, on the commit thread.</param>
    /// <param name="onDurable">
    /// Told of a batch's effects on the commit thread once it is durable, before any of its state is visible (so that
    /// the file writes it promises count as pending before a reader can see the state that names them).
    /// </param>
    /// <param name="onFault">Told once, on the thread pool, when the journal stopped after a failure.</param>
    /// <param name="onUndone">
    /// Told, on the apply thread, of the work that is live again after batches were undone (a queue or a timer may have
    /// dropped it while it was withdrawn).
    /// </param>
    public void Start(IEnumerable<TaskEntry> recovered, long lastOutboxId, Action<BatchEffects> onCommitted, Action<Exception>? onFault = null, Action<IReadOnlyList<WorkItem>>? onUndone = null, Action<BatchEffects>? onDurable = null)
    {
        ArgumentNullException.ThrowIfNull(recovered);
        foreach (var entry in recovered)
        {
            _active[entry.Id] = entry;
        }

        _onCommitted = onCommitted;
        _onDurable = onDurable;
        _onFault = onFault;
        _onUndone = onUndone;
        _writer = new TaskWriter(_database);
        _specHashes = new SpecHashLookup(_database);
        var context = new BatchContext(_active, _finishing, _specHashes.Find, lastOutboxId, _time, _mirrorArtifacts);
        new Thread(() => CommitLoop(_writer)) { IsBackground = true, Name = "agentfunctions-commit" }.Start();
        new Thread(() => ApplyLoop(context)) { IsBackground = true, Name = "agentfunctions-journal" }.Start();
    }

    /// <summary>Runs <paramref name="operation"/> in the next batch; completes after its commit.</summary>
    public Task<T> ExecuteAsync<T>(Func<BatchContext, T> operation)
    {
        if (Fault is { } fault)
        {
            return Task.FromException<T>(Stopped(fault));
        }

        var item = new JournalOperation<T>(operation);
        if (!_queue.Writer.TryWrite(item))
        {
            return Task.FromException<T>(new EngineUnavailableException("the server is shutting down; try again once it is back"));
        }

        return item.Task;
    }

    /// <summary>Stops taking operations, commits those already queued, and ends both threads.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        return _writer is null ? Task.CompletedTask : _stopped.Task;
    }

    public void Dispose()
    {
        _specHashes?.Dispose();
        _writer?.Dispose();
        _sealed.Dispose();
        _committerIdle.Dispose();
    }

    private static EngineUnavailableException Stopped(Exception fault) =>
        new($"the server stopped after a storage failure ({fault.Message}); it is restarting or needs attention", fault);

    /// <summary>
    /// Storage failures (the database or the disk) are logged as one line: their message says it all. Anything else
    /// is a bug and keeps its stack.
    /// </summary>
    private static bool IsStorageFailure(Exception exception) => exception is SqliteException or IOException;

    private void ApplyLoop(BatchContext context)
    {
        long number = 0;
        var batch = new SealedBatch(++number);
        context.Open(batch);
        try
        {
            while (true)
            {
                if (TakeFailed() is { } failed)
                {
                    batch = UndoFailed(context, failed, batch, ref number);
                }

                var started = Stopwatch.GetTimestamp();
                while (batch.Operations.Count < _maxBatch && _queue.Reader.TryRead(out var next))
                {
                    if (next is Wakeup)
                    {
                        continue;
                    }

                    if (Fault is { } fault)
                    {
                        next.Fail(Stopped(fault));
                        continue;
                    }

                    batch.Operations.Add(next);
                    next.Run(context);
                }

                if (batch.Operations.Count > 0 && (_committerIdle.IsSet || batch.Operations.Count >= _maxBatch))
                {
                    // A full batch waits for the commit thread; otherwise it is handed over the moment the thread is free.
                    context.Seal();
                    AddElapsed(ref _applyTicks, started);
                    if (!HandOver(batch))
                    {
                        // The batch before it failed on a full disk, and this one was applied on top of it.
                        batch = UndoFailed(context, TakeFailed()!.Value, batch, ref number);
                        continue;
                    }

                    batch = new SealedBatch(++number);
                    context.Open(batch);
                    continue;
                }

                AddElapsed(ref _applyTicks, started);

                // Nothing to hand over yet: wait for work, or for the commit thread to finish (it posts a wake-up).
                if (!_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    break;
                }
            }

            if (batch.Operations.Count > 0)
            {
                context.Seal();
                if (!HandOver(batch))
                {
                    UndoFailed(context, TakeFailed()!.Value, batch, ref number);
                }
            }
        }
        catch (Exception ex)
        {
            // An operation threw: memory may hold half of its change. Stop, and recover from disk at the next start.
            if (IsStorageFailure(ex))
            {
                _logger.JournalApplyStorageFailed(batch.Operations.Count, ex.Message);
            }
            else
            {
                _logger.JournalApplyFailed(ex, batch.Operations.Count);
            }

            Faulted(ex);
            batch.Operations.ForEach(op => op.Fail(Stopped(ex)));
            while (_queue.Reader.TryRead(out var left))
            {
                left.Fail(Stopped(ex));
            }
        }
        finally
        {
            _committerIdle.Wait();

            // The last batch may have failed on a full disk too: its callers get their answer (memory no longer matters).
            if (TakeFailed() is { } last)
            {
                last.Batch.Operations.ForEach(op => op.Fail(_disk.CommitFailed(last.Error)));
            }

            _closing = true;
            _sealed.Release();
        }
    }

    private void Faulted(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _fault, exception, null) is null && _onFault is { } onFault)
        {
            // Off the journal's threads: stopping the host waits for them.
            ThreadPool.QueueUserWorkItem(_ => onFault(exception));
        }
    }

    private static void AddElapsed(ref long total, long started) =>
        Interlocked.Add(ref total, Stopwatch.GetElapsedTime(started).Ticks);

    /// <summary>Hands a sealed batch to the commit thread once it is free; false when its last commit failed on a full disk.</summary>
    private bool HandOver(SealedBatch batch)
    {
        _committerIdle.Wait();
        lock (_failedLock)
        {
            if (_failedOnFullDisk is not null)
            {
                return false;
            }
        }

        _committerIdle.Reset();
        _handedOver = batch;
        _sealed.Release();
        return true;
    }

    private (SealedBatch Batch, Exception Error)? TakeFailed()
    {
        lock (_failedLock)
        {
            var failed = _failedOnFullDisk;
            _failedOnFullDisk = null;
            return failed;
        }
    }

    /// <summary>
    /// Takes the failed batch and the one applied on top of it (<paramref name="open"/>, sealed or not) back out of
    /// memory, newest first, answers all their operations 507, hands the work that is live again to the engine, and
    /// opens a fresh batch.
    /// </summary>
    private SealedBatch UndoFailed(BatchContext context, (SealedBatch Batch, Exception Error) failed, SealedBatch open, ref long number)
    {
        var revived = new List<WorkItem>();
        context.Undo(open, revived);
        context.Undo(failed.Batch, revived);
        var refusal = _disk.CommitFailed(failed.Error);
        failed.Batch.Operations.ForEach(op => op.Fail(refusal));
        open.Operations.ForEach(op => op.Fail(refusal));
        _logger.JournalBatchUndone(failed.Batch.Operations.Count + open.Operations.Count, failed.Error.Message);
        try
        {
            _onUndone?.Invoke(revived);
        }
        catch (Exception ex)
        {
            _logger.JournalEffectsFailed(ex);
        }

        var fresh = new SealedBatch(++number);
        context.Open(fresh);
        return fresh;
    }

    private void CommitLoop(TaskWriter writer)
    {
        try
        {
            while (true)
            {
                _sealed.Wait();
                if (_handedOver is not { } batch)
                {
                    if (_closing)
                    {
                        return;
                    }

                    continue;
                }

                _handedOver = null;
                Commit(batch, writer);
                _committerIdle.Set();
                _queue.Writer.TryWrite(Wakeup.Instance);
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void Commit(SealedBatch batch, TaskWriter writer)
    {
        if (Fault is { } earlier)
        {
            batch.Operations.ForEach(op => op.Fail(Stopped(earlier)));
            return;
        }

        using var span = CommitSpan(batch);
        var started = Stopwatch.GetTimestamp();
        try
        {
            writer.Begin();
            foreach (var row in batch.Rows)
            {
                row(writer);
            }

            var written = Stopwatch.GetTimestamp();
            Interlocked.Add(ref _writeTicks, Stopwatch.GetElapsedTime(started, written).Ticks);
            writer.Commit();
            Interlocked.Add(ref _commitTicks, Stopwatch.GetElapsedTime(written).Ticks);
            Interlocked.Add(ref _walBytes, writer.TakePageBytesWritten());
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == DiskSpace.SqliteFull)
        {
            // Nothing of the batch is on disk. The apply thread takes it back out of memory and answers its callers;
            // the engine runs on, and new work waits for free space.
            RollBackQuietly(writer);
            _disk.Refresh();
            lock (_failedLock)
            {
                _failedOnFullDisk = (batch, ex);
            }

            return;
        }
        catch (Exception ex)
        {
            // Memory is now ahead of the database: stop, and let recovery start from what is on disk.
            RollBackQuietly(writer);
            AgentTelemetry.Fail(span, ex.Message);
            if (IsStorageFailure(ex))
            {
                _logger.JournalCommitStorageFailed(batch.Operations.Count, ex.Message);
            }
            else
            {
                _logger.JournalCommitFailed(ex, batch.Operations.Count);
            }

            Faulted(ex);
            batch.Operations.ForEach(op => op.Fail(Stopped(ex)));
            return;
        }

        var effectsStarted = Stopwatch.GetTimestamp();
        try
        {
            _onDurable?.Invoke(batch.Effects);
        }
        catch (Exception ex)
        {
            _logger.JournalEffectsFailed(ex);
        }

        foreach (var (entry, state) in batch.States)
        {
            entry.Committed = state;
        }

        foreach (var id in batch.Finished)
        {
            // Lookups find the task in the database from now on (unless it was purged and started again since).
            if (_finishing.TryGetValue(id, out var finishing) && finishing.Batch == batch.Number)
            {
                _finishing.TryRemove(KeyValuePair.Create(id, finishing));
            }
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _operations, batch.Operations.Count);
        try
        {
            _onCommitted?.Invoke(batch.Effects);
        }
        catch (Exception ex)
        {
            _logger.JournalEffectsFailed(ex);
        }

        batch.Operations.ForEach(op => op.Complete());
        Interlocked.Add(ref _effectsTicks, Stopwatch.GetElapsedTime(effectsStarted).Ticks);
    }

    /// <summary>The span of one commit: how many operations and rows, linked to (at most 32 of) the spans that queued them.</summary>
    private static Activity? CommitSpan(SealedBatch batch)
    {
        if (!AgentTelemetry.Source.HasListeners())
        {
            return null;
        }

        var links = batch.Operations.Select(op => op.Caller).Where(c => c != default).Distinct().Take(MaxCommitLinks).Select(c => new ActivityLink(c)).ToList();
        var span = AgentTelemetry.StartSpan(SpanNames.JournalCommit, ActivityKind.Internal, links: links);
        span?.SetTag(TelemetryTags.BatchOperations, batch.Operations.Count);
        span?.SetTag(TelemetryTags.BatchRows, batch.Rows.Count);
        return span;
    }

    /// <summary>A rollback after a failed commit may fail the same way; the transaction is gone either way.</summary>
    private static void RollBackQuietly(TaskWriter writer)
    {
        try
        {
            writer.Rollback();
        }
        catch (SqliteException)
        {
        }
    }

    /// <summary>Posted by the commit thread when it is free again, to wake the apply thread.</summary>
    private sealed class Wakeup : JournalOperation
    {
        public static readonly Wakeup Instance = new();

        public override void Run(BatchContext context)
        {
        }

        public override void Complete()
        {
        }

        public override void Fail(Exception exception)
        {
        }
    }
}
