using AgentFunctions.Core.Storage;
using AgentFunctions.Hosting;
using AgentFunctions.Testing.Azurite;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentFunctions.Tests.Support;

/// <summary>
/// The app's real service registration (AddAgentFunctionsApp) with <c>AzureWebJobsStorage</c> pointing at Azurite:
/// the real Blob and Queue clients, stores, work queues and storage initializer. Only the Durable client is a double;
/// time is the system clock, as Azurite's visibility timeouts are.
/// Tests share one Azurite, so each picks its own task ids and remote role names (<see cref="UniqueRole"/>).
/// </summary>
internal sealed class AzuriteApp : IDisposable
{
    public AzuriteApp(AzuriteFixture azurite, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            [StorageNames.Connection] = azurite.ConnectionString,
            ["Roles:review:Runner"] = "echo",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAgentFunctionsApp(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public ServiceProvider Services { get; }

    public DurableClientDouble Durable { get; } = new();

    public IArtifactStore Artifacts => Get<IArtifactStore>();

    public IDeadLetterStore DeadLetters => Get<IDeadLetterStore>();

    public WorkQueues Queues => Get<WorkQueues>();

    public BlobServiceClient Blobs => Get<BlobServiceClient>();

    /// <summary>A remote role name no other test uses, so its work queue is its own.</summary>
    public static string UniqueRole(string prefix = "w") => prefix + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A task id no other test uses.</summary>
    public static string UniqueTaskId(string prefix = "t") => prefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Runs the app's storage initializer, as the host does before any trigger.</summary>
    public Task InitializeStorageAsync() =>
        Services.GetServices<IHostedService>().OfType<StorageInitializer>().Single().StartAsync(CancellationToken.None);

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public void Dispose() => Services.Dispose();
}
