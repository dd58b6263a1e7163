namespace AgentFunctions.Testing.Telemetry;

/// <summary>A finished span as a collector received it: ids in lower-case hex, attributes as text.</summary>
public sealed record CollectedSpan(
    string Source,
    string Name,
    string Kind,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links,
    bool Failed)
{
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    public override string ToString() =>
        $"{Name} [{Source}] {TraceId}/{SpanId} <- {ParentSpanId ?? "root"} {string.Join(' ', Attributes.Select(a => a.Key + "=" + a.Value))}";
}
