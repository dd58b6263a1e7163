namespace AgentFunctions.Testing.Telemetry;

/// <summary>One data point of an exported metric: its attributes and value (a histogram's point: its count and sum).</summary>
public sealed record CollectedPoint(string Metric, IReadOnlyDictionary<string, string> Attributes, double Value, long Count, DateTimeOffset Time)
{
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);
}
