using System.Diagnostics;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Telemetry;

/// <summary>The span of a wait for a person's decision, recorded whole once it is decided or timed out.</summary>
public static class ApprovalSpans
{
    /// <summary>The outcome a timed-out wait records.</summary>
    public const string TimedOut = "timed_out";

    /// <param name="role">The role whose gate it was; null for the task's own gate.</param>
    /// <param name="outcome"><c>approve</c>, <c>reject</c> or <see cref="TimedOut"/>.</param>
    public static void Record(TraceContext? task, string taskId, string? role, ApprovalKind kind, DateTimeOffset requestedAt, string outcome, string? by)
    {
        if (task is null || !AgentTelemetry.Source.HasListeners())
        {
            return;
        }

        var span = AgentTelemetry.StartSpan(SpanNames.ApprovalWait, ActivityKind.Internal, task.ToActivityContext(), requestedAt);
        if (span is null)
        {
            return;
        }

        span.SetTag(TelemetryTags.TaskId, taskId);
        span.SetTag(TelemetryTags.Role, role);
        span.SetTag(TelemetryTags.ApprovalKind, Names.Of(kind));
        span.SetTag(TelemetryTags.Decision, outcome);
        span.SetTag(TelemetryTags.DecidedBy, by);
        AgentTelemetry.End(span);
    }
}
