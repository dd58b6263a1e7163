using AgentFunctions.Hosting;
using AgentFunctions.Testing;
using AgentFunctions.Testing.Azurite;
using AgentFunctions.Testing.Durable;

namespace AgentFunctions.Contract.Tests.Support;

/// <summary>
/// Both engines with the same roles: the Standalone server (child process, SQLite) and the Functions engine on the
/// real Durable runtime (in-memory backend, storage on its own Azurite). Started once for the contract tests.
/// </summary>
public sealed class BothEngines : IEngines, IAsyncLifetime
{
    public const string StandaloneEngine = "standalone";
    public const string FunctionsEngine = "functions";

    private StandaloneServer? _standalone;
    private AzuriteServer? _azurite;
    private FunctionsEngineHost? _functions;

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

    public Uri BaseAddress(string engine) => engine switch
    {
        StandaloneEngine => _standalone!.BaseAddress,
        FunctionsEngine => _functions!.BaseUrl,
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "standalone or functions"),
    };

    /// <summary>What an engine logged lately, for a failure message.</summary>
    public string Log(string engine) => engine == StandaloneEngine ? _standalone?.Output ?? string.Empty : _functions?.Log.ToString() ?? string.Empty;

    public async Task InitializeAsync()
    {
        var standalone = StandaloneServer.StartAsync(Roles.ToDictionary(p => p.Key, p => p.Value ?? string.Empty, StringComparer.OrdinalIgnoreCase));
        _azurite = await AzuriteServer.StartAsync();
        _functions = await FunctionsEngineHost.StartAsync(new FunctionsEngineOptions
        {
            Settings = new Dictionary<string, string?>(Roles, StringComparer.OrdinalIgnoreCase) { [StorageNames.Connection] = _azurite.ConnectionString },
        });
        _standalone = await standalone;
    }

    public async Task DisposeAsync()
    {
        if (_functions is not null)
        {
            await _functions.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        if (_standalone is not null)
        {
            await _standalone.DisposeAsync();
        }
    }
}
