using Microsoft.Extensions.Logging;

namespace AgentFunctions.Core.Storage;

internal static partial class StorageLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Refused artifact path {Path}: '{Link}' under the artifact root is a symbolic link")]
    public static partial void RefusedLinkedPath(this ILogger logger, string path, string link);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Skipped symbolic link {Path} under the artifact root; links are never followed")]
    public static partial void SkippedLink(this ILogger logger, string path);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Removed stale temp file {Path}")]
    public static partial void RemovedStaleTempFile(this ILogger logger, string path);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning,
        Message = "Skipped unreadable dead-letter record {Id} while listing")]
    public static partial void SkippedUnreadableDeadLetter(this ILogger logger, string id, Exception exception);
}
