using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Logging;

/// <summary>
/// Every log message of the Standalone server, as source-generated <see cref="LoggerMessageAttribute"/> methods, with
/// event ids 4000-4999: 41xx start and stop, 42xx the journal, 43xx running work (leases, timers, local
/// attempts), 44xx writing files and the database. (Core logs 3000-3999, the Functions app 5000-5999.)
/// </summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Standalone engine started on {Database}: {Tasks} unfinished tasks, {Attempts} attempts to run")]
    public static partial void EngineStarted(this ILogger logger, string database, int tasks, int attempts);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Standalone engine stopped")]
    public static partial void EngineStopped(this ILogger logger);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Opened {Database}: schema and integrity checked (PRAGMA quick_check) in {Milliseconds:0} ms")]
    public static partial void DatabaseChecked(this ILogger logger, string database, double milliseconds);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "Opened {Database}: schema and length checked; PRAGMA quick_check skipped (Standalone:QuickCheckAtStart is false)")]
    public static partial void DatabaseOpenedWithoutQuickCheck(this ILogger logger, string database);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "Removed {Count} scratch folders that attempts cut off by a crash had left in {Directory}")]
    public static partial void ScratchFoldersRemoved(this ILogger logger, int count, string directory);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Killed {Killed} process groups of command attempts a crash left running ({Records} recorded in {Directory}); their attempts run again")]
    public static partial void LeftoverProcessGroupsKilled(this ILogger logger, int killed, int records, string directory);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning, Message = "Command roles run without full isolation (own process group: {OwnGroup}; dying with the server needs util-linux's setsid and setpriv 2.33 or later): after a crash their programs may keep running beside their re-runs")]
    public static partial void CommandIsolationUnavailable(this ILogger logger, bool ownGroup);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Critical, Message = "Stopping the server after a storage failure ({Reason}); restart it to recover from the database")]
    public static partial void StoppingAfterStorageFault(this ILogger logger, string reason);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Critical, Message = "Applying a batch of {Count} operations failed; the engine stops and will recover from the database at the next start")]
    public static partial void JournalApplyFailed(this ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Critical, Message = "A commit of {Count} operations failed; the engine stops and will recover from the database at the next start")]
    public static partial void JournalCommitFailed(this ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Critical, Message = "Applying a batch of {Count} operations failed on storage ({Reason}); the engine stops and will recover from the database at the next start")]
    public static partial void JournalApplyStorageFailed(this ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Critical, Message = "A commit of {Count} operations failed ({Reason}); the engine stops and will recover from the database at the next start")]
    public static partial void JournalCommitStorageFailed(this ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Error, Message = "A commit failed because the disk is full ({Reason}); its {Count} operations were undone and answered 507, the engine runs on")]
    public static partial void JournalBatchUndone(this ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Error, Message = "Carrying out the effects of a commit failed")]
    public static partial void JournalEffectsFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Lease of {TaskId}/{Role} attempt {Attempt} held by {WorkerId} expired")]
    public static partial void LeaseExpired(this ILogger logger, string taskId, string role, int attempt, string workerId);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Error, Message = "A scheduled callback failed")]
    public static partial void ScheduledCallbackFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4311, Level = LogLevel.Error, Message = "Attempt {Attempt} of {TaskId}/{Role} could not be carried out")]
    public static partial void AttemptCrashed(this ILogger logger, Exception exception, string taskId, string role, int attempt);

    [LoggerMessage(EventId = 4312, Level = LogLevel.Error, Message = "The outcome of attempt {Attempt} of {TaskId}/{Role} could not be recorded; it runs again after a restart")]
    public static partial void AttemptReportFailed(this ILogger logger, Exception exception, string taskId, string role, int attempt);

    [LoggerMessage(EventId = 4314, Level = LogLevel.Warning, Message = "The outcome of attempt {Attempt} of {TaskId}/{Role} could not be stored (the disk is full); it runs again once there is room")]
    public static partial void AttemptReportRefused(this ILogger logger, string taskId, string role, int attempt);

    [LoggerMessage(EventId = 4313, Level = LogLevel.Warning, Message = "Shutdown grace period over: abandoning {Count} running attempts; they run again at the next start")]
    public static partial void AbandoningAttempts(this ILogger logger, int count);

    [LoggerMessage(EventId = 4421, Level = LogLevel.Error, Message = "The data directory {Directory} has {Free} bytes free, below Standalone:MinFreeBytes ({Minimum}): new work is refused and local attempts and leases wait until space is freed")]
    public static partial void DiskSpaceLow(this ILogger logger, string directory, long free, long minimum);

    [LoggerMessage(EventId = 4422, Level = LogLevel.Information, Message = "The data directory {Directory} has {Free} bytes free again: new work is taken")]
    public static partial void DiskSpaceRecovered(this ILogger logger, string directory, long free);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "Writing {Kind} for task {TaskId} failed; retrying in {Seconds} s")]
    public static partial void OutboxWriteFailed(this ILogger logger, Exception exception, string kind, string taskId, double seconds);

    [LoggerMessage(EventId = 4404, Level = LogLevel.Warning, Message = "Writing {Kind} for task {TaskId} failed ({Reason}); retrying in {Seconds} s")]
    public static partial void OutboxWriteFailedOnDisk(this ILogger logger, string kind, string taskId, string reason, double seconds);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "Could not delete finished outbox rows ({Reason}); their writes repeat, harmlessly, at the next start")]
    public static partial void OutboxAcknowledgeFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Error, Message = "Outbox item {Id} has an unknown kind '{Kind}' and is dropped")]
    public static partial void OutboxUnknownKind(this ILogger logger, string kind, long id);

    [LoggerMessage(EventId = 4411, Level = LogLevel.Warning, Message = "A WAL checkpoint failed ({Reason}); health is unhealthy until one succeeds, and the next one retries")]
    public static partial void WalCheckpointFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 4321, Level = LogLevel.Warning, Message = "The circuit breaker of role {Role} opened: its attempts wait until {Until}")]
    public static partial void CircuitOpened(this ILogger logger, string role, DateTimeOffset until);

    [LoggerMessage(EventId = 4322, Level = LogLevel.Information, Message = "The circuit breaker of role {Role} closed: its attempts run again")]
    public static partial void CircuitClosed(this ILogger logger, string role);

    [LoggerMessage(EventId = 4431, Level = LogLevel.Information, Message = "Removed {Count} large-artifact files that no commit named (written just before a crash)")]
    public static partial void UnnamedArtifactFilesRemoved(this ILogger logger, int count);
}
