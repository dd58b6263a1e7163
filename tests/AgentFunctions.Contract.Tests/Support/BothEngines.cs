namespace AgentFunctions.Contract.Tests.Support;

/// <summary>
/// Both engines with the same roles: the Standalone server (child process, SQLite) and the Functions engine on the
/// real Durable runtime (in-memory backend, storage on its own Azurite). Started once for the contract tests.
/// </summary>
public sealed class BothEngines : IEngines, IAsyncLifetime
{
    public const string StandaloneEngine = "standalone";
    public const string FunctionsEngine = "functions";

    private EnginePair? _engines;

    /// <summary>The roles both engines run: echo roles, one that needs an approval, one that always fails permanently, remote ones.</summary>
    public static Dictionary<string, string?> Roles { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Roles:impl:Runner"] = "echo",
        ["Roles:review:Runner"] = "echo",
        ["Roles:gate:Runner"] = "echo",
        ["Roles:gate:RequiresApproval"] = "true",
        ["Roles:refuser:Runner"] = "command",
        ["Roles:refuser:Command:0"] = "/bin/sh",
        ["Roles:refuser:Command:1"] = "-c",
        ["Roles:refuser:Command:2"] = "echo 'the request is malformed' >&2; exit 3",
        ["Roles:refuser:PermanentExitCodes:0"] = "3",
        ["Roles:worker:Runner"] = "remote",
        ["Roles:worker:LeaseSeconds"] = "30",
        ["Roles:worker:Retry:MaxAttempts"] = "2",
        ["Roles:worker:Retry:FirstDelay"] = "00:00:00.2",
        ["Roles:idle:Runner"] = "remote",
    };

    public Uri BaseAddress(string engine) => _engines!.BaseAddress(engine);

    /// <summary>What an engine logged lately, for a failure message.</summary>
    public string Log(string engine) => _engines?.Log(engine) ?? string.Empty;

    public async Task InitializeAsync() => _engines = await EnginePair.StartAsync(_ => Roles);

    public async Task DisposeAsync()
    {
        if (_engines is not null)
        {
            await _engines.DisposeAsync();
        }
    }
}
