namespace AgentFunctions.Core.Storage;

/// <summary>
/// Makes the files written so far durable in one step, for writers that skip a flush per file and
/// must not forget that they wrote them (an outbox deletes its record only after a checkpoint).
/// </summary>
public static class FileSystemCheckpoint
{
    /// <summary>False where only a flush per file makes files durable (Windows).</summary>
    public static bool IsSupported => PosixFileOps.IsAvailable;

    /// <summary>Flushes every write made so far to the filesystem holding <paramref name="directory"/>.</summary>
    public static void Flush(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        PosixFileOps.SyncFileSystem(directory);
    }
}
