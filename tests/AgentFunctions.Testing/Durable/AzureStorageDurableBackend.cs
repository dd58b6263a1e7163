using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// DurableTask.AzureStorage with the settings a single small test worker wants: one partition (one control queue,
/// one lease to take), short lease and polling intervals so a quiet queue is noticed within a fraction of a second,
/// and a task hub name of its own so hosts sharing an account never see each other's instances.
/// </summary>
internal sealed class AzureStorageDurableBackend(string connectionString) : DurableBackend
{
    /// <summary>The longest an idle queue waits before it is polled again (the provider backs off up to this).</summary>
    public static readonly TimeSpan MaxPollingInterval = TimeSpan.FromMilliseconds(250);

    public override string Name => "azure-storage";

    /// <summary>Letters and digits, starting with a letter (the provider's rule for task hub names).</summary>
    public string TaskHubName { get; } = "hub" + Guid.NewGuid().ToString("N")[..16];

    internal override async Task<IOrchestrationService> CreateAsync(ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            TaskHubName = TaskHubName,
            PartitionCount = 1,
            MaxQueuePollingInterval = MaxPollingInterval,
            LeaseAcquireInterval = TimeSpan.FromSeconds(1),
            LeaseRenewInterval = TimeSpan.FromSeconds(5),
            LeaseInterval = TimeSpan.FromSeconds(15),
            WorkerId = "agentfunctions-tests-" + Environment.ProcessId,
            LoggerFactory = loggerFactory,
            MaxConcurrentTaskActivityWorkItems = SidecarCompatibleService.MaxConcurrentWorkItems,
            MaxConcurrentTaskOrchestrationWorkItems = SidecarCompatibleService.MaxConcurrentWorkItems,
        });
        await service.CreateIfNotExistsAsync();
        return new SidecarCompatibleService(service);
    }
}
