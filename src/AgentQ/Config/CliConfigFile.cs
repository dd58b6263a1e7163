namespace AgentQ.Config;

/// <summary><c>~/.agentq/config.json</c>: <c>{ "defaultProfile": "...", "profiles": { "name": { "url", "key" } } }</c>.</summary>
public sealed record CliConfigFile
{
    public string? DefaultProfile { get; init; }

    public IReadOnlyDictionary<string, CliProfile> Profiles { get; init; } = new Dictionary<string, CliProfile>();
}
