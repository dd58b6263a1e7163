using System.CommandLine;

namespace AgentQ.Cli;

/// <summary>Options every command accepts (declared once on the root, recursive).</summary>
public sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url")
    {
        Description = "Server base URL [env AGENTQ_URL; default http://127.0.0.1:7071]",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = "Key sent as x-functions-key [env AGENTQ_KEY]",
        HelpName = "KEY",
        Recursive = true,
    };

    public Option<string?> Profile { get; } = new("--profile")
    {
        Description = "Profile from ~/.agentq/config.json [env AGENTQ_PROFILE; default: its defaultProfile]",
        HelpName = "NAME",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the JSON answer on stdout and nothing else (for scripts and agents)",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(Url);
        root.Options.Add(Key);
        root.Options.Add(Profile);
        root.Options.Add(Json);
    }
}
