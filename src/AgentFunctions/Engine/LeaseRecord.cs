using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Engine;

/// <summary>
/// What the lease API remembers of a leased attempt (a queue message cannot be read by id): which task,
/// attempt and sub-orchestration it belongs to, and who holds it. Also the source of "worker last seen".
/// </summary>
public sealed record LeaseRecord(
    string TaskId,
    string Role,
    int Attempt,
    string InstanceId,
    string MessageId,
    string? WorkerId,
    DateTimeOffset LeasedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    int? LeaseSeconds = null,
    TraceContext? Trace = null)
{
    /// <summary>The queue the message came from (its route); null in records from before routes (the role's own queue).</summary>
    public string? Queue { get; init; }

    /// <summary>The lease is the half-open circuit breaker's probe.</summary>
    public bool Probe { get; init; }
}
