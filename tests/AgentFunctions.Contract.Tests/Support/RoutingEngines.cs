namespace AgentFunctions.Contract.Tests.Support;

/// <summary>
/// Both engines with the roles of the routing and resilience scenarios: a command role whose dependency is down
/// until a test creates a file (with a quick circuit breaker), a remote role workers lease by capability, one with
/// an alert on its queue, and plain echo roles. <c>Security:SecretScan</c> keeps its default (Reject).
/// </summary>
public sealed class RoutingEngines : IEngines, IAsyncLifetime
{
    private readonly DirectoryInfo _marks = Directory.CreateTempSubdirectory("agentfunctions-routing-");
    private EnginePair? _engines;

    /// <summary>While this file is missing, role <c>fragile</c> fails transiently ("dependency down").</summary>
    public string FixedMark(string engine) => Path.Combine(_marks.FullName, engine + ".fixed");

    public Uri BaseAddress(string engine) => _engines!.BaseAddress(engine);

    public string Log(string engine) => _engines?.Log(engine) ?? string.Empty;

    public async Task InitializeAsync() => _engines = await EnginePair.StartAsync(Roles);

    public async Task DisposeAsync()
    {
        if (_engines is not null)
        {
            await _engines.DisposeAsync();
        }

        _marks.Delete(recursive: true);
    }

    private Dictionary<string, string?> Roles(string engine) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Roles:plain:Runner"] = "echo",
        ["Roles:needy:Runner"] = "echo",
        ["Roles:needy:Capabilities:0"] = "python",
        ["Roles:fragile:Runner"] = "command",
        ["Roles:fragile:Command:0"] = "/bin/sh",
        ["Roles:fragile:Command:1"] = "-c",
        ["Roles:fragile:Command:2"] = $"if [ -f '{FixedMark(engine)}' ]; then echo 'the dependency answered'; else echo 'dependency down' >&2; exit 1; fi",
        ["Roles:fragile:Concurrency"] = "2",
        ["Roles:fragile:Retry:MaxAttempts"] = "10",
        ["Roles:fragile:Retry:FirstDelay"] = "00:00:00.2",
        ["Roles:fragile:Retry:MaxDelay"] = "00:00:00.5",
        ["Roles:fragile:CircuitBreaker:MinimumThroughput"] = "3",
        ["Roles:fragile:CircuitBreaker:FailureRatio"] = "0.5",
        ["Roles:fragile:CircuitBreaker:SamplingDuration"] = "60",
        ["Roles:fragile:CircuitBreaker:BreakDuration"] = "2",
        ["Roles:gpu:Runner"] = "remote",
        ["Roles:gpu:LeaseSeconds"] = "60",
        ["Roles:backlog:Runner"] = "remote",
        ["Roles:backlog:Alerts:MaxDepth"] = "0",
        ["Roles:backlog:Alerts:TargetDrainSeconds"] = "60",
    };
}
