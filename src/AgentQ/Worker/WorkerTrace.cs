using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Telemetry;

namespace AgentQ.Worker;

/// <summary>
/// The worker's own span around one leased attempt, in the task's trace: a child of the attempt's span (the lease's
/// <c>traceparent</c>). Its context goes as the <c>traceparent</c> header of the heartbeat, complete, fail and release
/// calls; the span itself is reported with the complete or fail, for the server to record (a worker needs no tracing
/// backend of its own). Null for a lease without a trace context.
/// </summary>
public sealed class WorkerTrace
{
    public const string SpanName = "agentq worker";

    private WorkerTrace(TraceContext attempt, TraceContext own, DateTimeOffset startedAt)
    {
        Attempt = attempt;
        Own = own;
        StartedAt = startedAt;
    }

    /// <summary>The attempt's context, as the lease gave it (what the program gets as TRACEPARENT and TRACESTATE).</summary>
    public TraceContext Attempt { get; }

    /// <summary>The worker span's own context.</summary>
    public TraceContext Own { get; }

    public DateTimeOffset StartedAt { get; }

    public static WorkerTrace? Start(LeaseGrant grant, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return TraceContext.TryParse(grant.TraceParent, grant.TraceState) is { } attempt
            ? new WorkerTrace(attempt, TraceContexts.NewChildOf(attempt), now)
            : null;
    }

    /// <summary>The span as the complete or fail body reports it, ending now.</summary>
    public WorkerSpan Report(DateTimeOffset endedAt, string? error) => new()
    {
        TraceParent = Own.TraceParent,
        ParentSpanId = Attempt.SpanId,
        Name = SpanName,
        StartedAt = StartedAt,
        EndedAt = endedAt < StartedAt ? StartedAt : endedAt,
        Error = error is { Length: > WorkerSpan.MaxErrorLength } ? error[..WorkerSpan.MaxErrorLength] : error,
    };
}
