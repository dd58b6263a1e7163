namespace AgentQ.Worker;

/// <summary>
/// <c>[log]</c> of a worker config: a log file of the worker's events in <see cref="Directory"/>, rotated like a Python
/// <c>RotatingFileHandler</c>: past <see cref="MaxBytes"/> the file becomes <c>.1</c> (older ones shift up) and at most
/// <see cref="BackupCount"/> old files are kept; with either at 0 the file just grows.
/// </summary>
public sealed record WorkerLogSettings(string Directory, long MaxBytes = WorkerLogSettings.DefaultMaxBytes, int BackupCount = WorkerLogSettings.DefaultBackupCount)
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;
    public const int DefaultBackupCount = 5;
}
