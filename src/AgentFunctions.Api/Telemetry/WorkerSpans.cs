using System.Diagnostics;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Telemetry;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Telemetry;

/// <summary>
/// The spans of the remote worker protocol. A lease is recorded under the leased attempt's span once it is known (with
/// a link to the worker's request); heartbeat, complete, fail and release run under the context the worker sends
/// (the lease's <c>traceparent</c>, or its own span under it), so they join the task's trace; a worker's own span,
/// reported with its result, is recorded under the attempt's span.
/// </summary>
public static class WorkerSpans
{
    /// <summary>Records the lease of an attempt, from <paramref name="startTime"/> (when the request came) to now.</summary>
    public static void RecordLease(LeaseGrant grant, string? workerId, DateTimeOffset startTime, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (!AgentTelemetry.Source.HasListeners() || TraceContext.TryParse(grant.TraceParent, grant.TraceState) is not { } attempt)
        {
            return;
        }

        // The worker's request may belong to a trace of its own (a polling loop): linked, not the parent.
        var caller = Activity.Current?.Context ?? TaskSpans.FromHeaders(request)?.ToActivityContext() ?? default;
        using var span = AgentTelemetry.StartSpan(SpanNames.Lease, ActivityKind.Server, attempt.ToActivityContext(), startTime, caller == default ? null : [new ActivityLink(caller)]);
        if (span is null)
        {
            return;
        }

        span.SetTag(TelemetryTags.TaskId, grant.TaskId);
        span.SetTag(TelemetryTags.Role, grant.Role);
        span.SetTag(TelemetryTags.Attempt, grant.Attempt);
        span.SetTag(TelemetryTags.WorkerId, workerId);
    }

    /// <summary>Starts the span of a heartbeat, complete, fail or release under the context the worker sent.</summary>
    public static Activity? Start(string name, string role, HttpRequest request)
    {
        if (!AgentTelemetry.Source.HasListeners())
        {
            return null;
        }

        var span = AgentTelemetry.StartSpan(name, ActivityKind.Server, Activity.Current is null ? TaskSpans.FromHeaders(request)?.ToActivityContext() ?? default : default);
        span?.SetTag(TelemetryTags.Role, role);
        return span;
    }

    /// <summary>Records a worker's own span as it reported it (checked with <see cref="WorkerSpan.Explain"/> first).</summary>
    public static void RecordWorker(WorkerSpan? reported, string role)
    {
        if (reported is null || !AgentTelemetry.Source.HasListeners() || TraceContext.TryParse(reported.TraceParent) is not { } self)
        {
            return;
        }

        var span = AgentTelemetry.StartSpan(reported.Name ?? SpanNames.Worker, ActivityKind.Internal, self, reported.ParentContext(), reported.StartedAt);
        if (span is null)
        {
            return;
        }

        span.SetTag(TelemetryTags.Role, role);
        if (reported.Error is { } error)
        {
            AgentTelemetry.Fail(span, error);
        }

        AgentTelemetry.End(span, reported.EndedAt);
    }
}
