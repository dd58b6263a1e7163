namespace AgentQ.Config;

/// <summary>One named connection in <c>~/.agentq/config.json</c>.</summary>
public sealed record CliProfile
{
    public string? Url { get; init; }

    public string? Key { get; init; }
}
