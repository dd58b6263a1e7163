using Microsoft.Extensions.Logging;

namespace AgentFunctions.Logging;

/// <summary>
/// Every log message of the Functions app, as source-generated <see cref="LoggerMessageAttribute"/> methods, with
/// event ids 5000-5999: 50xx orchestration, 52xx activities, 53xx remote work queues and leases, 54xx the engine,
/// 55xx queue intake, 56xx storage at start. (Core logs 3000-3999, including the dead-letter stores' 3111, the
/// Standalone server 4000-4999.)
/// </summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "Task {TaskId}: the decider ignored {EventName}")]
    public static partial void EventIgnored(this ILogger logger, string taskId, string eventName);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Task {TaskId}: ignored a malformed '{EventName}' event")]
    public static partial void MalformedEvent(this ILogger logger, string taskId, string eventName);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "Task {TaskId}: activity {Activity} failed for good: {Error}")]
    public static partial void SideEffectFailed(this ILogger logger, string taskId, string activity, string error);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Task {TaskId}: attempt {Attempt} of {Role} finished after the task ended; its result is kept as discarded")]
    public static partial void LateResultDiscarded(this ILogger logger, string taskId, string role, int attempt);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Task {TaskId}: role {Role} dead-lettered as {DeadLetterId}: {Reason}")]
    public static partial void DeadLettered(this ILogger logger, string taskId, string role, string deadLetterId, string reason);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Information, Message = "Task {TaskId}: attempt {Attempt} of {Role} is on its work queue as message {MessageId}")]
    public static partial void AttemptDispatched(this ILogger logger, string taskId, string role, int attempt, string messageId);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "Deleted malformed message {MessageId} from work queue {Queue}")]
    public static partial void MalformedWorkMessage(this ILogger logger, string queue, string messageId);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Task {TaskId}: the lease on attempt {Attempt} of {Role} expired; reported as a transient failure")]
    public static partial void LeaseExpired(this ILogger logger, string taskId, string role, int attempt);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Information, Message = "Task {TaskId}: dropped the queued attempt {Attempt} of {Role}; nothing waits for it any more")]
    public static partial void SupersededWorkDropped(this ILogger logger, string taskId, string role, int attempt);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Information, Message = "Task {TaskId}: attempt {Attempt} of {Role} leased by {WorkerId}")]
    public static partial void Leased(this ILogger logger, string taskId, string role, int attempt, string workerId);

    [LoggerMessage(EventId = 5401, Level = LogLevel.Information, Message = "Task {TaskId}: started with {RoleCount} role(s)")]
    public static partial void TaskStarted(this ILogger logger, string taskId, int roleCount);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Information, Message = "Task {TaskId}: raised '{EventName}'")]
    public static partial void EventRaised(this ILogger logger, string taskId, string eventName);

    [LoggerMessage(EventId = 5501, Level = LogLevel.Warning, Message = "Intake message {MessageId} rejected and dead-lettered: {Problems}")]
    public static partial void IntakeRejected(this ILogger logger, string messageId, string problems);

    [LoggerMessage(EventId = 5502, Level = LogLevel.Information, Message = "Intake message {MessageId} started task {TaskId}")]
    public static partial void IntakeStarted(this ILogger logger, string messageId, string? taskId);

    [LoggerMessage(EventId = 5503, Level = LogLevel.Error, Message = "Intake message {MessageId} (task {TaskId}) exhausted its tries; dead-lettered from the poison queue")]
    public static partial void IntakePoisoned(this ILogger logger, string messageId, string taskId);

    [LoggerMessage(EventId = 5601, Level = LogLevel.Information, Message = "Storage ready: created {Name} ({Kind}) where it was missing")]
    public static partial void StorageEnsured(this ILogger logger, string name, string kind);

    [LoggerMessage(EventId = 5602, Level = LogLevel.Error, Message = "Could not create {Kind} {Name} at start; /api/health reports it")]
    public static partial void StorageEnsureFailed(this ILogger logger, string name, string kind, Exception exception);

    [LoggerMessage(EventId = 5603, Level = LogLevel.Error, Message = "Storage was not ready within {Seconds} s at start; the host starts anyway and /api/health reports what is missing")]
    public static partial void StorageEnsureTimedOut(this ILogger logger, double seconds);

    [LoggerMessage(EventId = 5701, Message = "{Method} {Path} failed and was answered {Status} (problem+json)")]
    public static partial void HttpTriggerFailed(this ILogger logger, LogLevel level, string method, string path, int status, Exception exception);

    [LoggerMessage(EventId = 5801, Level = LogLevel.Warning, Message = "The circuit breaker of role {Role} opened: its attempts wait")]
    public static partial void CircuitOpened(this ILogger logger, string role);

    [LoggerMessage(EventId = 5802, Level = LogLevel.Information, Message = "The circuit breaker of role {Role} closed: its attempts run again")]
    public static partial void CircuitClosed(this ILogger logger, string role);

    [LoggerMessage(EventId = 5803, Level = LogLevel.Warning, Message = "Could not count an attempt of role {Role} for its circuit breaker")]
    public static partial void CircuitRecordFailed(this ILogger logger, string role, Exception exception);
}
