using AgentFunctions.Testing.Azurite;
using AgentFunctions.Testing.Durable;

namespace AgentFunctions.Durable.Tests.Support;

/// <summary>
/// One Functions engine (and its own Azurite, for the artifacts, dead letters and queues) for a class of scenarios,
/// started before its first test and stopped after its last. If Azurite cannot start, every test of the class fails
/// with the reason.
/// </summary>
public abstract class EngineFixture : IAsyncLifetime
{
    private AzuriteServer? _azurite;
    private FunctionsEngineHost? _host;

    internal ScenarioRoles Roles { get; } = new();

    public FunctionsEngineHost Host => _host ?? throw new InvalidOperationException("The engine has not been started.");

    public AzuriteServer Azurite => _azurite ?? throw new InvalidOperationException("Azurite has not been started.");

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        _host = await FunctionsEngineHost.StartAsync(new FunctionsEngineOptions
        {
            Settings = Roles.Settings(_azurite.ConnectionString),
            Backend = CreateBackend(_azurite),
        });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        Roles.Dispose();
    }

    protected abstract DurableBackend CreateBackend(AzuriteServer azurite);
}
