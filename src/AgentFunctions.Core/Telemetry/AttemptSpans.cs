using System.Diagnostics;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Telemetry;

/// <summary>
/// The span of one attempt: a child of its task's span, with the id <see cref="TraceContext.ForAttempt"/> names (so
/// runner calls, leases and a worker's own span made elsewhere are its children), the role, the attempt number and
/// the outcome. An engine starts it where the attempt starts and ends it with the outcome, or records it whole once
/// the outcome is known (a remote attempt whose start was in another request, or another process).
/// </summary>
public static class AttemptSpans
{
    /// <summary>Starts the span of an attempt of a task that has a trace; null without one or without a listener.</summary>
    public static Activity? Start(TraceContext? task, string taskId, string role, int attempt, DateTimeOffset? startTime = null)
    {
        if (task is null || !AgentTelemetry.Source.HasListeners())
        {
            return null;
        }

        var span = AgentTelemetry.StartSpan(SpanNames.Attempt, ActivityKind.Internal, task.ForAttempt(role, attempt), task.ToActivityContext(), startTime);
        span?.SetTag(TelemetryTags.TaskId, taskId);
        span?.SetTag(TelemetryTags.Role, role);
        span?.SetTag(TelemetryTags.Attempt, attempt);
        return span;
    }

    /// <summary>Ends an attempt's span with what its runner or worker answered.</summary>
    public static void End(Activity? span, AgentResult result, DateTimeOffset? endTime = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var failed = result.Status == AgentResultStatus.Failed;
        End(span, AttemptOutcomes.Of(result), failed ? result.Permanent ? FailureKind.Permanent : FailureKind.Transient : null, failed ? result.Summary : null, endTime);
    }

    /// <summary>Ends an attempt's span with its outcome (<see cref="AttemptOutcomes"/>) and, when it failed, how.</summary>
    public static void End(Activity? span, string outcome, FailureKind? failure, string? message, DateTimeOffset? endTime = null)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(TelemetryTags.Outcome, outcome);
        if (failure is { } kind)
        {
            span.SetTag(TelemetryTags.FailureKind, Names.Of(kind));
            AgentTelemetry.Fail(span, message ?? "the attempt failed");
        }

        AgentTelemetry.End(span, endTime);
    }

    /// <summary>Records an attempt's span whole, from <paramref name="startTime"/> to now.</summary>
    public static void Record(TraceContext? task, string taskId, string role, int attempt, DateTimeOffset startTime, AgentResult result) =>
        End(Start(task, taskId, role, attempt, startTime), result);

    /// <summary>Records an attempt's span whole with an outcome that is not an agent's answer (a lease that expired).</summary>
    public static void Record(TraceContext? task, string taskId, string role, int attempt, DateTimeOffset startTime, string outcome, FailureKind? failure, string? message) =>
        End(Start(task, taskId, role, attempt, startTime), outcome, failure, message);
}
