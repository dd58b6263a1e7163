namespace AgentQ.Service;

/// <summary>What <c>agentq worker install</c> fills a template in with.</summary>
/// <param name="Command">How to start this agentq: its own executable, or the dotnet host and agentq.dll.</param>
/// <param name="DotnetRoot">The .NET installation this agentq runs on (for an apphost under a service manager's bare environment).</param>
/// <param name="User">The account the service runs as (systemd).</param>
public sealed record ServiceRequest(
    ServiceFormat Format,
    string Role,
    string ConfigPath,
    IReadOnlyList<string> Command,
    string? DotnetRoot,
    string User,
    bool IsRoot,
    string HomeDirectory)
{
    /// <summary>The worker's full argv as the service starts it.</summary>
    public IReadOnlyList<string> WorkerArguments() =>
        [.. Command, "worker", "run", "--role", Role, "--config", ConfigPath, "--grace", "30"];
}
