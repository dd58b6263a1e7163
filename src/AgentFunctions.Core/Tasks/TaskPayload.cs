using System.Text.Json;

namespace AgentFunctions.Core.Tasks;

/// <summary>Structured input for the agents: text, or any JSON value when <see cref="Fmt"/> is json.</summary>
public sealed record TaskPayload
{
    public PayloadFormat Fmt { get; init; } = PayloadFormat.Text;

    /// <summary>A JSON string for <see cref="PayloadFormat.Text"/>; any JSON value for <see cref="PayloadFormat.Json"/>.</summary>
    public JsonElement Content { get; init; }

    public static TaskPayload FromText(string text) =>
        new() { Fmt = PayloadFormat.Text, Content = JsonSerializer.SerializeToElement(text) };

    /// <summary>The payload as an agent reads it: the text itself, or indented JSON.</summary>
    public string Render() => Fmt == PayloadFormat.Text && Content.ValueKind == JsonValueKind.String
        ? Content.GetString() ?? string.Empty
        : JsonSerializer.Serialize(Content, Json.CoreJson.Indented);
}
