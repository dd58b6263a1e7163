using Microsoft.Extensions.Logging;

namespace AgentFunctions.Api.Logging;

/// <summary>
/// Every log message of the HTTP API shared by both hosts, as source-generated <see cref="LoggerMessageAttribute"/>
/// methods, with event ids 2000-2999: 21xx answers to requests that failed. (Core logs 3000-3999, the Standalone
/// server 4000-4999, the Functions app 5000-5999.)
/// </summary>
internal static partial class Logs
{
    /// <summary>One line, no stack: the client sent something the server could not read (a body too slow, cut short, too large).</summary>
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "{Method} {Path} answered {Status}: {Reason}")]
    public static partial void RequestUnreadable(this ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "{Method} {Path} failed and was answered 500 (trace id {TraceId})")]
    public static partial void RequestFailed(this ILogger logger, Exception exception, string method, string path, string traceId);
}
