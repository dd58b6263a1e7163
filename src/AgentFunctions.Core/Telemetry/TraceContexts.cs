using System.Diagnostics;

namespace AgentFunctions.Core.Telemetry;

/// <summary>New trace contexts (random ids, the current span): never for orchestrator code, which only passes contexts on.</summary>
public static class TraceContexts
{
    /// <summary>A child of <paramref name="parent"/> with a fresh span id, or a new sampled trace without a parent.</summary>
    public static TraceContext NewChildOf(TraceContext? parent) => parent is null
        ? new TraceContext(TraceContext.Format(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded))
        : parent with { TraceParent = TraceContext.Format(ActivityTraceId.CreateFromString(parent.TraceId), ActivitySpanId.CreateRandom(), parent.Flags) };

    /// <summary>The current span's context (for a task started under it), or a new sampled trace when there is none.</summary>
    public static TraceContext OfCurrentSpanOrNew() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current
        ? TraceContext.Of(current.Context, current.TraceStateString)
        : NewChildOf(null);
}
