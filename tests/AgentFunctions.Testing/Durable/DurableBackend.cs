using DurableTask.Core;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// The orchestration service under the gRPC sidecar: DurableTask.Core's in-memory backend, or DurableTask.AzureStorage
/// (the provider Durable Functions uses) over a storage account such as Azurite.
/// </summary>
public abstract class DurableBackend
{
    /// <summary>A short name for test output ("in-memory", "azure-storage").</summary>
    public abstract string Name { get; }

    public static DurableBackend InMemory() => new InMemoryDurableBackend();

    /// <summary>DurableTask.AzureStorage over <paramref name="connectionString"/>, in a task hub of its own.</summary>
    public static DurableBackend AzureStorage(string connectionString) => new AzureStorageDurableBackend(connectionString);

    /// <summary>Creates the service (and its task hub, where it has one); the sidecar starts and stops it.</summary>
    internal abstract Task<IOrchestrationService> CreateAsync(ILoggerFactory loggerFactory, CancellationToken cancellationToken);

    public override string ToString() => Name;
}
