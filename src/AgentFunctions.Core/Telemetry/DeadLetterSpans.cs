using System.Diagnostics;
using AgentFunctions.Core.Storage;

namespace AgentFunctions.Core.Telemetry;

/// <summary>The span of writing a dead-letter record, under the span of the task whose role it is.</summary>
public static class DeadLetterSpans
{
    public static Activity? Start(DeadLetterRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!AgentTelemetry.Source.HasListeners() || TraceContext.TryParse(record.TraceParent) is not { } task)
        {
            return null;
        }

        var span = AgentTelemetry.StartSpan(SpanNames.DeadLetter, ActivityKind.Internal, task.ToActivityContext());
        span?.SetTag(TelemetryTags.TaskId, record.TaskId);
        span?.SetTag(TelemetryTags.Role, record.Role);
        span?.SetTag(TelemetryTags.DeadLetterId, record.Id);
        span?.SetTag(TelemetryTags.Attempt, record.Attempts);
        return span;
    }
}
