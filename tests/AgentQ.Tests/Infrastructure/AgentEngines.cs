using AgentFunctions.Hosting;
using AgentFunctions.Testing;
using AgentFunctions.Testing.Azurite;
using AgentFunctions.Testing.Durable;

namespace AgentQ.Tests.Infrastructure;

/// <summary>
/// The two servers an agent may work against, with the same roles: the real Standalone server (child process) and the
/// Functions app's engine on the real Durable runtime (FunctionsEngineHost, storage on its own Azurite). Started once
/// for the agent-loop tests. If Azurite or the engine cannot start, every test fails with the reason.
/// </summary>
public sealed class AgentEngines : IAsyncLifetime
{
    public const string Collection = "agent engines";
    public const string Standalone = "standalone";
    public const string Functions = "functions";

    private StandaloneServer? _standalone;
    private AzuriteServer? _azurite;
    private FunctionsEngineHost? _functions;

    /// <summary>
    /// <c>agent</c>: a remote role an agent works by hand (30 s lease unless it asks for more, three attempts, quick
    /// retries); <c>solo</c>: a remote role with a single attempt, so a lapsed lease ends the task; <c>plan</c>: an echo
    /// role, an earlier stage whose result the agent receives.
    /// </summary>
    public static Dictionary<string, string?> Roles { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Roles:agent:Runner"] = "remote",
        ["Roles:agent:LeaseSeconds"] = "30",
        ["Roles:agent:Retry:MaxAttempts"] = "3",
        ["Roles:agent:Retry:FirstDelay"] = "00:00:00.2",
        ["Roles:agent:Retry:MaxDelay"] = "00:00:01",
        ["Roles:solo:Runner"] = "remote",
        ["Roles:solo:Retry:MaxAttempts"] = "1",
        ["Roles:plan:Runner"] = "echo",
    };

    public string Url(string engine) => engine switch
    {
        Standalone => _standalone!.Url,
        Functions => _functions!.BaseUrl.GetLeftPart(UriPartial.Authority),
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "standalone or functions"),
    };

    /// <summary>What the engine logged lately, for a failure message.</summary>
    public string Log(string engine) => engine == Standalone ? _standalone?.Output ?? string.Empty : _functions?.Log.ToString() ?? string.Empty;

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
