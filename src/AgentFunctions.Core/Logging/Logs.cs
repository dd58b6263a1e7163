using AgentFunctions.Core.Retries;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Core.Logging;

/// <summary>
/// Every log message of AgentFunctions.Core, as source-generated <see cref="LoggerMessageAttribute"/> methods, with
/// event ids 3000-3999: 31xx the artifact and dead-letter stores, 32xx the agent runners. (The Standalone server
/// logs 4000-4999, the Functions app 5000-5999.)
/// </summary>
public static partial class Logs
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Refused artifact path {Path}: '{Link}' under the artifact root is a symbolic link")]
    internal static partial void RefusedLinkedPath(this ILogger logger, string path, string link);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Skipped symbolic link {Path} under the artifact root; links are never followed")]
    internal static partial void SkippedLink(this ILogger logger, string path);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Removed stale temp file {Path}")]
    internal static partial void RemovedStaleTempFile(this ILogger logger, string path);

    /// <summary>Public: the Functions app's Blob store skips unreadable records the same way, under the same event.</summary>
    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "Skipped unreadable dead-letter record {Id} while listing")]
    public static partial void SkippedUnreadableDeadLetter(this ILogger logger, string id, Exception exception);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "Started '{Program}' as process {ProcessId}")]
    internal static partial void ProcessStarted(this ILogger logger, string program, int processId);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Cannot start '{Program}': {Reason}")]
    internal static partial void ProcessStartFailed(this ILogger logger, string program, string reason);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Killed the process tree of '{Program}' (process {ProcessId})")]
    internal static partial void ProcessTreeKilled(this ILogger logger, string program, int processId);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Warning, Message = "Killed the process group of '{Program}' (group {ProcessGroupId})")]
    internal static partial void ProcessGroupKilled(this ILogger logger, string program, int processGroupId);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning, Message = "'{Program}' ended but its output pipes stayed open for {Seconds} s; stopped reading")]
    internal static partial void ProcessOutputAbandoned(this ILogger logger, string program, double seconds);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Debug, Message = "'{Program}' ended with exit code {ExitCode} after {Milliseconds} ms (timed out: {TimedOut}, canceled: {Canceled})")]
    internal static partial void ProcessEnded(this ILogger logger, string program, int exitCode, double milliseconds, bool timedOut, bool canceled);

    [LoggerMessage(EventId = 3211, Level = LogLevel.Warning, Message = "Role {Role} task {TaskId} attempt {Attempt}: the command timed out after {Seconds} s")]
    internal static partial void CommandTimedOut(this ILogger logger, string role, string taskId, int attempt, double seconds);

    [LoggerMessage(EventId = 3212, Level = LogLevel.Warning, Message = "Role {Role} task {TaskId} attempt {Attempt}: the command exited with code {ExitCode} ({Kind} failure)")]
    internal static partial void CommandFailedExit(this ILogger logger, string role, string taskId, int attempt, int exitCode, FailureKind kind);

    [LoggerMessage(EventId = 3213, Level = LogLevel.Warning, Message = "Role {Role} task {TaskId}: the command wrote {Bytes} bytes to stdout; kept the first {MaxBytes}")]
    internal static partial void CommandOutputTruncated(this ILogger logger, string role, string taskId, long bytes, int maxBytes);

    [LoggerMessage(EventId = 3214, Level = LogLevel.Warning, Message = "Role {Role}: skipped the artifact file '{Name}': {Reason}")]
    internal static partial void CommandArtifactSkipped(this ILogger logger, string role, string name, string reason);

    [LoggerMessage(EventId = 3215, Level = LogLevel.Warning, Message = "Could not delete the artifacts directory {Directory}: {Reason}")]
    internal static partial void CommandCleanupFailed(this ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 3221, Level = LogLevel.Warning, Message = "Role {Role} task {TaskId} attempt {Attempt}: {Peer} answered HTTP {StatusCode}")]
    internal static partial void RunnerPeerFailedStatus(this ILogger logger, string role, string taskId, int attempt, string peer, int statusCode);

    [LoggerMessage(EventId = 3222, Level = LogLevel.Warning, Message = "Role {Role} task {TaskId} attempt {Attempt}: the answer of {Peer} is larger than {MaxBytes} bytes")]
    internal static partial void RunnerPeerAnswerTooLarge(this ILogger logger, string role, string taskId, int attempt, string peer, int maxBytes);

    [LoggerMessage(EventId = 3223, Level = LogLevel.Warning, Message = "Role {Role} task {TaskId} attempt {Attempt}: {Peer} did not answer within {Seconds} s")]
    internal static partial void RunnerPeerTimedOut(this ILogger logger, string role, string taskId, int attempt, string peer, double seconds);

    [LoggerMessage(EventId = 3224, Level = LogLevel.Warning, Message = "Role {Role} task {TaskId} attempt {Attempt}: cannot reach {Peer}: {Reason}")]
    internal static partial void RunnerPeerUnreachable(this ILogger logger, string role, string taskId, int attempt, string peer, string reason);
}
