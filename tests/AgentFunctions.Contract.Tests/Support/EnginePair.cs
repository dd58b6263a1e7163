using AgentFunctions.Hosting;
using AgentFunctions.Testing;
using AgentFunctions.Testing.Azurite;
using AgentFunctions.Testing.Durable;

namespace AgentFunctions.Contract.Tests.Support;

/// <summary>
/// The Standalone server (child process, SQLite) and the Functions engine on the real Durable runtime (in-memory
/// backend, storage on its own Azurite), each started with the settings the fixture gives it.
/// </summary>
internal sealed class EnginePair : IEngines, IAsyncDisposable
{
    private StandaloneServer? _standalone;
    private AzuriteServer? _azurite;
    private FunctionsEngineHost? _functions;

    private EnginePair()
    {
    }

    /// <param name="settings">The configuration of an engine (<see cref="BothEngines.StandaloneEngine"/> or <see cref="BothEngines.FunctionsEngine"/>).</param>
    public static async Task<EnginePair> StartAsync(Func<string, IReadOnlyDictionary<string, string?>> settings)
    {
        var pair = new EnginePair();
        try
        {
            var standalone = StandaloneServer.StartAsync(settings(BothEngines.StandaloneEngine).ToDictionary(p => p.Key, p => p.Value ?? string.Empty, StringComparer.OrdinalIgnoreCase));
            pair._azurite = await AzuriteServer.StartAsync();
            pair._functions = await FunctionsEngineHost.StartAsync(new FunctionsEngineOptions
            {
                Settings = new Dictionary<string, string?>(settings(BothEngines.FunctionsEngine), StringComparer.OrdinalIgnoreCase) { [StorageNames.Connection] = pair._azurite.ConnectionString },
            });
            pair._standalone = await standalone;
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    public Uri BaseAddress(string engine) => engine switch
    {
        BothEngines.StandaloneEngine => _standalone!.BaseAddress,
        BothEngines.FunctionsEngine => _functions!.BaseUrl,
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "standalone or functions"),
    };

    public string Log(string engine) => engine == BothEngines.StandaloneEngine ? _standalone?.Output ?? string.Empty : _functions?.Log.ToString() ?? string.Empty;

    public async ValueTask DisposeAsync()
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
