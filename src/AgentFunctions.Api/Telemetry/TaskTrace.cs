using System.Diagnostics;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Api.Telemetry;

/// <summary>The span that started a task (null when nobody records spans) and the trace context the task keeps.</summary>
public sealed record TaskTrace(Activity? Span, TraceContext Context) : IDisposable
{
    public void Dispose() => Span?.Dispose();
}
