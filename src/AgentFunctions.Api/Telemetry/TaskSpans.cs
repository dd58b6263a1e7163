using System.Diagnostics;
using AgentFunctions.Core.Telemetry;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Telemetry;

/// <summary>
/// The span that starts a task (submit, replay): a child of the caller's W3C trace context when the request brought
/// one, a new trace otherwise. The task keeps that span's context, so its attempts, leases and workers join the same
/// trace. Without a listener the context is still made (the task view shows its trace id, workers get TRACEPARENT);
/// only no span is recorded.
/// </summary>
public static class TaskSpans
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    /// <summary>Starts <paramref name="name"/>; <see cref="TaskTrace.Context"/> is what a task started under it keeps.</summary>
    public static TaskTrace Start(string name, HttpRequest? request)
    {
        // ASP.NET Core and the Functions worker put the caller's context in a current span; otherwise read the headers.
        var headers = FromHeaders(request);
        var span = AgentTelemetry.StartSpan(name, ActivityKind.Internal, Activity.Current is null ? headers?.ToActivityContext() ?? default : default);
        return span is null
            ? new TaskTrace(null, TraceContexts.NewChildOf(headers)) // nobody records spans: a child of what the caller sent, or a new trace
            : new TaskTrace(span, TraceContext.Of(span.Context, span.TraceStateString));
    }

    /// <summary>The trace context the request's headers carry; null when they carry none (or a malformed one).</summary>
    public static TraceContext? FromHeaders(HttpRequest? request) => request is null
        ? null
        : TraceContext.TryParse(request.Headers[TraceParentHeader].ToString(), request.Headers[TraceStateHeader].ToString());
}
