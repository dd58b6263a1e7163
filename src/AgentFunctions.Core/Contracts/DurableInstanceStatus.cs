using System.Text.Json;
using System.Text.Json.Serialization;
using AgentFunctions.Core.History;

namespace AgentFunctions.Core.Contracts;

/// <summary>The instance status JSON of the Durable Functions HTTP API.</summary>
public sealed record DurableInstanceStatus
{
    public required string Name { get; init; }

    public required string InstanceId { get; init; }

    public required string RuntimeStatus { get; init; }

    public JsonElement? Input { get; init; }

    public JsonElement? CustomStatus { get; init; }

    public JsonElement? Output { get; init; }

    public required DateTimeOffset CreatedTime { get; init; }

    public required DateTimeOffset LastUpdatedTime { get; init; }

    /// <summary>With <c>showHistory=true</c>: the instance's history events, oldest first.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DurableHistoryEvent>? HistoryEvents { get; init; }
}
