using AgentFunctions.Standalone.Logging;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// Copies the write-ahead log back into the database file from a thread of its own. SQLite would
/// otherwise do it inside a commit every thousand pages, stalling the journal's commit thread for
/// the copy and the database file's fsync. A passive checkpoint never blocks the writer.
/// </summary>
public sealed class WalCheckpointer(TaskDatabase database, TimeProvider time, ILogger<WalCheckpointer> logger) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private string? _lastError;

    /// <summary>Why the last checkpoint failed, or null when it succeeded: the log cannot shrink while checkpoints fail.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    public void Start() => _loop = Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning);

    /// <summary>Stops the loop; the last checkpoint also truncates the log (the writer has stopped by then).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            using var connection = database.Open();
            Checkpoint(connection, "TRUNCATE");
        }
        catch (SqliteException ex)
        {
            logger.WalCheckpointFailed(ex.Message);
        }
    }

    public void Dispose() => _stop.Dispose();

    private void Run()
    {
        using var connection = database.Open();
        while (!_stop.Token.WaitHandle.WaitOne(Interval))
        {
            try
            {
                Checkpoint(connection, "PASSIVE");
                Volatile.Write(ref _lastError, null);
            }
            catch (SqliteException ex)
            {
                // Once per spell of failures in the log; health reports it for as long as it lasts.
                if (Interlocked.Exchange(ref _lastError, ex.Message) is null)
                {
                    logger.WalCheckpointFailed(ex.Message);
                }
            }
        }
    }

    private void Checkpoint(SqliteConnection connection, string mode)
    {
        var started = time.GetTimestamp();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        command.ExecuteNonQuery();
        Elapsed += time.GetElapsedTime(started);
        Checkpoints++;
    }

    /// <summary>Checkpoints run so far (most copy nothing when the log has not grown).</summary>
    public long Checkpoints { get; private set; }

    /// <summary>Time spent checkpointing (for the health report).</summary>
    public TimeSpan Elapsed { get; private set; }
}
