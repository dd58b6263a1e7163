using AgentFunctions.Testing.Azurite;
using AgentFunctions.Testing.Durable;

namespace AgentFunctions.Durable.Tests.Support;

/// <summary>The engine on DurableTask.Core's in-memory backend (storage of the app on Azurite).</summary>
public sealed class InMemoryEngine : EngineFixture
{
    protected override DurableBackend CreateBackend(AzuriteServer azurite) => DurableBackend.InMemory();
}
