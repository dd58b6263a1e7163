using System.Text.Json.Serialization;

namespace AgentQ.Agent;

/// <summary>What <c>agentq take --json</c> prints: the attempt, its lease and where its files are (never the lease id).</summary>
public sealed record TakenAttempt(
    string TaskId,
    string Role,
    int Attempt,
    int MaxAttempts,
    DateTimeOffset LeaseExpiresAt,
    int LeaseSeconds,
    string Directory,
    IReadOnlyList<string> Files,
    string LeaseFile)
{
    /// <summary>The W3C trace context of the attempt's span (pass it on as TRACEPARENT so the agent's own spans join the task's trace).</summary>
    [JsonPropertyName("traceparent")]
    public string? TraceParent { get; init; }

    /// <summary>Files left out because the key may not read the task's artifacts (403); the lease is kept all the same.</summary>
    public IReadOnlyList<string> Refused { get; init; } = [];
}
