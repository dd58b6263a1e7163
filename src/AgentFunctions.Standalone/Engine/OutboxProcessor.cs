using System.Text.Json;
using AgentFunctions.Api.Engine;
using System.Threading.Channels;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Standalone.Logging;
using AgentFunctions.Standalone.Storage;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Carries out the file work that commits promised: dead letters, replay links, the removal of a purged task's files,
/// the mirror of artifacts to files (<c>Standalone:MirrorArtifactsToFiles</c>), and the artifact writes that a
/// database from before schema version 3 still holds. Each is idempotent and retried until it succeeds. A task's
/// writes happen in the order they were committed (one writer per task). The outbox row is deleted only after the
/// files are on disk (a filesystem checkpoint, or a flush per file), so a crash or power cut in between repeats the
/// write at the next start.
/// </summary>
public sealed class OutboxProcessor(
    DatabaseArtifactStore artifacts,
    FileSystemArtifactStore files,
    IDeadLetterStore deadLetters,
    AttemptResultWriter results,
    Journal journal,
    PendingWrites pending,
    StandaloneOptions options,
    TimeProvider time,
    ILogger<OutboxProcessor> logger)
{
    private const int Workers = 2;

    /// <summary>At most one filesystem checkpoint per interval: done rows wait and go in one transaction.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<OutboxItem>[] _queues = Enumerable.Range(0, Workers)
        .Select(_ => Channel.CreateUnbounded<OutboxItem>(new UnboundedChannelOptions { SingleReader = true }))
        .ToArray();

    private readonly Channel<OutboxItem> _done = Channel.CreateUnbounded<OutboxItem>(new UnboundedChannelOptions { SingleReader = true });
    private Task _acknowledging = Task.CompletedTask;
    private readonly CancellationTokenSource _stop = new();
    private Task[] _workers = [];
    private int _retrying;
    private string? _lastFailure;

    /// <summary>File writes failing and waiting to be tried again, and why the last one failed (for health).</summary>
    public (int Count, string? LastFailure) Retrying => (Volatile.Read(ref _retrying), Volatile.Read(ref _lastFailure));

    /// <summary>
    /// Writers run on their own threads: file creation blocks (and on some disks for long), and blocking
    /// thread-pool threads would stall request handling until the pool grows.
    /// </summary>
    public void Start()
    {
        _workers = Enumerable.Range(0, Workers).Select(i =>
        {
            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var queue = _queues[i];
            var thread = new Thread(() =>
            {
                try
                {
                    // Files are promised, not awaited on the hot path: task processing goes first when both want the CPU.
                    BackgroundThreadPriority.LowerCurrentThread(19);
                    Run(queue.Reader);
                }
                finally
                {
                    finished.TrySetResult();
                }
            })
            {
                IsBackground = true,
                Name = $"agentfunctions-outbox-{i}",
            };
            thread.Start();
            return finished.Task;
        }).ToArray();
        _acknowledging = Task.Run(AcknowledgeAsync);
    }

    /// <summary>Counts <paramref name="item"/> as pending from now on, before its commit is visible; <see cref="Enqueue"/> then carries it out.</summary>
    public void Promise(OutboxItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (IsAwaited(item))
        {
            pending.Add(item.TaskId, IsDeadLetterWrite(item));
        }
    }

    /// <summary>Carries out a promised write (see <see cref="Promise"/>).</summary>
    public void Enqueue(OutboxItem item)
    {
        ArgumentNullException.ThrowIfNull(item);

        // The same writer for all of a task's items: a purge must not overtake the writes before it.
        _queues[(int)((uint)StringComparer.Ordinal.GetHashCode(item.TaskId) % Workers)].Writer.TryWrite(item);
    }

    /// <summary>Finishes the writes already queued (up to <paramref name="grace"/>), then stops.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        foreach (var queue in _queues)
        {
            queue.Writer.TryComplete();
        }

        try
        {
            await Task.WhenAll(_workers).WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _done.Writer.TryComplete();
        await _acknowledging.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Run(ChannelReader<OutboxItem> queue)
    {
        while (queue.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            if (!queue.TryRead(out var item))
            {
                continue;
            }

            var delay = TimeSpan.FromMilliseconds(200);
            var failed = false;
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        CarryOutAsync(item, _stop.Token).GetAwaiter().GetResult();
                        if (IsAwaited(item))
                        {
                            pending.Done(item.TaskId, IsDeadLetterWrite(item));
                        }

                        _done.Writer.TryWrite(item);
                        break;
                    }
                    catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception ex)
                    {
                        if (!failed)
                        {
                            failed = true;
                            Interlocked.Increment(ref _retrying);
                        }

                        Volatile.Write(ref _lastFailure, ex.Message);
                        if (ex is IOException or UnauthorizedAccessException)
                        {
                            // The file system said why (a full disk, a permission): no stack trace on every retry.
                            logger.OutboxWriteFailedOnDisk(item.Kind, item.TaskId, ex.Message, delay.TotalSeconds);
                        }
                        else
                        {
                            logger.OutboxWriteFailed(ex, item.Kind, item.TaskId, delay.TotalSeconds);
                        }

                        if (_stop.Token.WaitHandle.WaitOne(delay))
                        {
                            return;
                        }

                        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                    }
                }
            }
            finally
            {
                if (failed)
                {
                    Interlocked.Decrement(ref _retrying);
                }
            }
        }
    }

    /// <summary>
    /// Deletes the rows of done writes, many per journal operation, once their files are durable: the
    /// stores write without a flush per file, so one checkpoint of the filesystem makes them all so.
    /// </summary>
    private async Task AcknowledgeAsync()
    {
        var checkpoint = !options.FlushArtifacts && FileSystemCheckpoint.IsSupported;
        var done = new List<OutboxItem>();
        while (await _done.Reader.WaitToReadAsync())
        {
            var started = time.GetTimestamp();
            while (_done.Reader.TryRead(out var item))
            {
                done.Add(item);
            }

            try
            {
                if (checkpoint)
                {
                    await Task.Run(() => FileSystemCheckpoint.Flush(options.DataDirectory));
                }

                await journal.ExecuteAsync(context =>
                {
                    foreach (var item in done)
                    {
                        context.OutboxDone(item.Id);
                    }

                    return true;
                });
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or InsufficientStorageException or EngineUnavailableException)
            {
                // The rows stay and the writes repeat (idempotently) at the next start. Expected causes only: one line.
                logger.OutboxAcknowledgeFailed(ex.Message);
            }

            done.Clear();
            var wait = CheckpointInterval - time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(Task.Delay(wait, time), _done.Reader.Completion);
            }
        }
    }

    private async Task CarryOutAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        switch (item.Kind)
        {
            case OutboxKinds.Spec:
                var spec = Read<TaskSpec>(item);
                if (spec.Context is not null)
                {
                    await artifacts.WriteTextAsync(ArtifactLayout.Context(item.TaskId), spec.Context, ArtifactContentTypes.Markdown, cancellationToken);
                }

                await artifacts.WriteJsonAsync(ArtifactLayout.Spec(item.TaskId), spec with { Context = null }, cancellationToken);
                break;
            case OutboxKinds.Result:
                await artifacts.WriteJsonAsync(ArtifactLayout.TaskResult(item.TaskId), Read<TaskResultDocument>(item), cancellationToken);
                break;
            case OutboxKinds.DeadLetter:
                var deadLetter = Read<DeadLetterRecord>(item);
                using (DeadLetterSpans.Start(deadLetter))
                {
                    await deadLetters.TryCreateAsync(deadLetter, cancellationToken);
                }

                break;
            case OutboxKinds.AttemptResult:
                var output = Read<AttemptOutput>(item);
                await results.WriteAsync(item.TaskId, output.Role, output.Attempt, output.Result, cancellationToken);
                break;
            case OutboxKinds.DiscardedResult:
                var late = Read<AttemptOutput>(item);
                await results.WriteDiscardedAsync(item.TaskId, late.Role, late.Attempt, late.Result, cancellationToken);
                break;
            case OutboxKinds.LinkReplay:
                var link = Read<ReplayLink>(item);
                if (await deadLetters.GetAsync(link.DeadLetterId, cancellationToken) is { } record && record.ReplayedAs is null)
                {
                    await deadLetters.ReplaceAsync(record with { ReplayedAs = item.TaskId, ReplayedAt = link.At }, cancellationToken);
                }

                break;
            case OutboxKinds.PurgeArtifacts:
                // The rows went in the purge's commit; what is left are files.
                await files.DeletePrefixAsync(ArtifactLayout.TaskPrefix(item.TaskId), cancellationToken);
                break;
            case OutboxKinds.Mirror:
                foreach (var path in Read<List<string>>(item))
                {
                    await MirrorAsync(path, cancellationToken);
                }

                break;
            default:
                logger.OutboxUnknownKind(item.Kind, item.Id);
                break;
        }
    }

    /// <summary>Copies an artifact row to its file in the layout; one purged (or replaced by then) since is skipped or copied as it is now.</summary>
    private async Task MirrorAsync(string path, CancellationToken cancellationToken)
    {
        await using var content = await artifacts.OpenReadAsync(path, cancellationToken);
        if (content is null)
        {
            return;
        }

        using var buffer = new MemoryStream(checked((int)content.Info.Length));
        await content.Content.CopyToAsync(buffer, cancellationToken);
        await files.WriteAsync(path, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), content.Info.ContentType, cancellationToken);
    }

    /// <summary>Whether readers wait for the write: not for the mirror, which no read goes through.</summary>
    private static bool IsAwaited(OutboxItem item) => item.Kind != OutboxKinds.Mirror;

    private static bool IsDeadLetterWrite(OutboxItem item) => item.Kind is OutboxKinds.DeadLetter or OutboxKinds.LinkReplay;

    private static T Read<T>(OutboxItem item)
        where T : class => item.Value as T ?? Deserialize<T>(item.Payload);

    private static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, CoreJson.Options)
        ?? throw new InvalidDataException($"The outbox payload for {typeof(T).Name} is empty.");
}
