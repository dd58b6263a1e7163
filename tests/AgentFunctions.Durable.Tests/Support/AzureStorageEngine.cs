using AgentFunctions.Testing.Azurite;
using AgentFunctions.Testing.Durable;

namespace AgentFunctions.Durable.Tests.Support;

/// <summary>The engine on DurableTask.AzureStorage, the provider Durable Functions uses, over Azurite.</summary>
public sealed class AzureStorageEngine : EngineFixture
{
    protected override DurableBackend CreateBackend(AzuriteServer azurite) => DurableBackend.AzureStorage(azurite.ConnectionString);
}
