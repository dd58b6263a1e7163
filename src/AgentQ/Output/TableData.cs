namespace AgentQ.Output;

/// <summary>A table to show a person: plain aligned columns when redirected, a Spectre table on a terminal.</summary>
public sealed record TableData(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public string? Title { get; init; }
}
