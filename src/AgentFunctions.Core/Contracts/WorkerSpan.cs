using System.Diagnostics;
using System.Text.Json.Serialization;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Core.Contracts;

/// <summary>
/// A remote worker's own span around its work on an attempt, reported with its complete or fail: workers need no
/// tracing backend of their own, the server records the span for them, under the attempt's span.
/// </summary>
public sealed record WorkerSpan
{
    public const int MaxNameLength = 100;
    public const int MaxErrorLength = 2000;

    /// <summary>The worker span's own W3C context: the task's trace id and the span id the worker chose.</summary>
    [JsonPropertyName("traceparent")]
    public string? TraceParent { get; init; }

    /// <summary>The span it ran under: the span id of the lease's <c>traceparent</c> (the attempt's span).</summary>
    public string? ParentSpanId { get; init; }

    /// <summary>What the span is called (default <c>worker</c>).</summary>
    public string? Name { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset EndedAt { get; init; }

    /// <summary>Why the work failed, when it did (the span is then marked as an error).</summary>
    public string? Error { get; init; }

    /// <summary>What is wrong with the report (field and reason), or null when it can be recorded.</summary>
    public string? Explain()
    {
        if (TraceContext.TryParse(TraceParent) is null)
        {
            return "workerSpan.traceparent: must be a W3C traceparent such as 00-<32 hex>-<16 hex>-01";
        }

        if (ParentSpanId is not { Length: 16 } parent || !parent.All(char.IsAsciiHexDigitLower) || parent == "0000000000000000")
        {
            return "workerSpan.parentSpanId: must be the 16 lower-case hex digits of the lease's span (from its traceparent)";
        }

        if (Name is { Length: > MaxNameLength })
        {
            return $"workerSpan.name: must be at most {MaxNameLength} characters";
        }

        if (Error is { Length: > MaxErrorLength })
        {
            return $"workerSpan.error: must be at most {MaxErrorLength} characters";
        }

        return StartedAt == default || EndedAt < StartedAt ? "workerSpan: startedAt and endedAt are required, and endedAt must not be before startedAt" : null;
    }

    /// <summary>The context of the span it ran under.</summary>
    public ActivityContext ParentContext()
    {
        var self = TraceContext.TryParse(TraceParent) ?? throw new InvalidOperationException("The worker span has no valid traceparent.");
        var own = self.ToActivityContext();
        var parent = ParentSpanId ?? throw new InvalidOperationException("The worker span names no parent.");
        return new ActivityContext(own.TraceId, ActivitySpanId.CreateFromString(parent), own.TraceFlags, self.TraceState, isRemote: true);
    }
}
