using System.Text.Json.Serialization;
using AgentFunctions.Core.Runners;

namespace AgentFunctions.Core.Contracts;

/// <summary>An attempt handed to a remote worker until <see cref="LeaseExpiresAt"/> (extended by heartbeats).</summary>
public sealed record LeaseGrant
{
    public required string LeaseId { get; init; }

    public required string TaskId { get; init; }

    public required string Role { get; init; }

    public required int Attempt { get; init; }

    public int MaxAttempts { get; init; }

    public required string Prompt { get; init; }

    public required DateTimeOffset LeaseExpiresAt { get; init; }

    public int LeaseSeconds { get; init; }

    /// <summary>The full attempt envelope (instructions, payload, context, earlier results).</summary>
    public required AgentAttempt Input { get; init; }

    public string? HeartbeatUri { get; init; }

    public string? CompleteUri { get; init; }

    public string? FailUri { get; init; }

    public string? ReleaseUri { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of this attempt's span, in its task's trace: a worker hands it to the agent program
    /// (the <c>TRACEPARENT</c> environment variable OpenTelemetry SDKs read) and sends it as the <c>traceparent</c>
    /// header of its heartbeat, complete and fail calls, so everything the attempt does lands in the task's trace.
    /// </summary>
    [JsonPropertyName("traceparent")]
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> that came with the task's trace, when there was one.</summary>
    [JsonPropertyName("tracestate")]
    public string? TraceState { get; init; }
}
