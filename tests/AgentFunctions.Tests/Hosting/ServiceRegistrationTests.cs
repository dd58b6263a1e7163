using AgentFunctions.Activities;
using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Http;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Engine;
using AgentFunctions.Hosting;
using AgentFunctions.Http;
using AgentFunctions.Intake;
using AgentFunctions.Storage;
using AgentFunctions.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentFunctions.Tests.Hosting;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public void Every_function_class_resolves_from_the_apps_registrations()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAgentFunctionsApp(Configuration(new() { ["Roles:review:Runner"] = "echo", ["Roles:worker:Runner"] = "remote" }));
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.IsType<DurableTaskEngine>(provider.GetRequiredService<ITaskEngine>());
        Assert.IsType<DurableManagementUrls>(provider.GetRequiredService<IManagementUrls>());
        Assert.IsType<BlobArtifactStore>(provider.GetRequiredService<Core.Storage.IArtifactStore>());
        Assert.IsType<BlobDeadLetterStore>(provider.GetRequiredService<Core.Storage.IDeadLetterStore>());
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is StorageInitializer);
        foreach (var type in new[] { typeof(TaskHttpFunctions), typeof(DeadLetterHttpFunctions), typeof(WorkerHttpFunctions), typeof(OperationsHttpFunctions), typeof(QueueIntakeFunctions), typeof(AgentActivities) })
        {
            Assert.NotNull(ActivatorUtilities.CreateInstance(provider, type));
        }

        var artifacts = Assert.IsType<BlobArtifactStore>(provider.GetRequiredService<Core.Storage.IArtifactStore>());
        Assert.Equal(StorageNames.ArtifactsContainer, artifacts.Container.Name);
        Assert.Equal(StorageNames.DeadLetterContainer, Assert.IsType<BlobDeadLetterStore>(provider.GetRequiredService<Core.Storage.IDeadLetterStore>()).Container.Name);
    }

    [Fact]
    public void Storage_is_initialized_before_the_workers_own_hosted_service_starts_the_triggers()
    {
        // FunctionsApplication.CreateBuilder registers the worker's hosted service before the app adds its services.
        var services = new ServiceCollection().AddLogging();
        services.AddHostedService<StandInWorkerService>();
        services.AddAgentFunctionsApp(Configuration(new() { ["Roles:review:Runner"] = "echo" }));
        using var provider = services.BuildServiceProvider();

        var hosted = provider.GetServices<IHostedService>().ToList();

        Assert.IsType<StorageInitializer>(hosted[0]);
        Assert.Contains(hosted, s => s is StandInWorkerService);
    }

    [Fact]
    public void A_bad_role_setting_stops_the_start_naming_its_key()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() =>
            new ServiceCollection().AddAgentFunctionsApp(Configuration(new() { ["Roles:review:Runner"] = "telepathy" })));

        Assert.Contains("Roles:review:Runner", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_remote_role_whose_queue_name_is_invalid_stops_the_start()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() =>
            new ServiceCollection().AddAgentFunctionsApp(Configuration(new() { ["Roles:bad-:Runner"] = "remote" })));

        Assert.Contains("Roles:bad-", error.Message, StringComparison.Ordinal);
        Assert.Contains("work-bad-", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_storage_settings_stop_the_start_naming_AzureWebJobsStorage()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Roles:review:Runner"] = "echo" }).Build();

        var error = Assert.Throws<InvalidConfigurationException>(() => new ServiceCollection().AddAgentFunctionsApp(configuration));

        Assert.Contains(StorageNames.Connection, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_based_storage_settings_build_clients_for_the_service_uris()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://agentsstore.blob.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://agentsstore.queue.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build();

        var clients = StorageClientFactory.Create(configuration);

        Assert.Equal(new Uri("https://agentsstore.blob.core.windows.net"), clients.Blobs.Uri);
        Assert.Equal(new Uri("https://agentsstore.queue.core.windows.net"), clients.Queues.Uri);
    }

    [Fact]
    public void An_unknown_storage_credential_kind_is_refused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:accountName"] = "agentsstore",
            ["AzureWebJobsStorage:credential"] = "password",
        }).Build();

        var error = Assert.Throws<InvalidConfigurationException>(() => StorageClientFactory.Create(configuration));
        Assert.Contains("AzureWebJobsStorage:credential", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("work-review", true)]
    [InlineData("work-code-review", true)]
    [InlineData("work-a--b", false)]
    [InlineData("work-a-", false)]
    public void Queue_names_follow_the_storage_rules(string name, bool valid) =>
        Assert.Equal(valid, StorageNames.IsValidQueueName(name));

    private sealed class StandInWorkerService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings)
    {
        settings[StorageNames.Connection] = "UseDevelopmentStorage=true";
        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }
}
