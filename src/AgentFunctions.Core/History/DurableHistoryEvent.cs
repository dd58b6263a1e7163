using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentFunctions.Core.History;

/// <summary>
/// One entry of <c>historyEvents</c> in the Durable Functions HTTP API's instance status (<c>showHistory=true</c>),
/// with that API's PascalCase member names.
/// </summary>
public sealed record DurableHistoryEvent
{
    [JsonPropertyName("EventType")]
    public required string EventType { get; init; }

    [JsonPropertyName("Timestamp")]
    public required DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("FunctionName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FunctionName { get; init; }

    [JsonPropertyName("Name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonPropertyName("ScheduledTime")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ScheduledTime { get; init; }

    [JsonPropertyName("FireAt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? FireAt { get; init; }

    [JsonPropertyName("OrchestrationStatus")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OrchestrationStatus { get; init; }

    [JsonPropertyName("Input")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Input { get; init; }

    [JsonPropertyName("Result")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Result { get; init; }

    [JsonPropertyName("Reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonPropertyName("Details")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Details { get; init; }
}
