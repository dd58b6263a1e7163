using AgentFunctions.Activities;
using AgentFunctions.Api;
using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Http;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Engine;
using AgentFunctions.Http;
using AgentFunctions.Intake;
using AgentFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Hosting;

/// <summary>Everything the Functions app registers, apart from the worker itself (see Program.cs).</summary>
public static class AgentFunctionsServiceCollectionExtensions
{
    /// <summary>
    /// Loads and validates <c>Roles</c>, <c>Workflow</c>, <c>Limits</c>, <c>Security</c> and <c>AzureWebJobsStorage</c> now, so a
    /// bad setting stops the host at start with a message naming its key; then registers the stores, the
    /// Durable engine, the API handlers, the runners, the activities' and triggers' services.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">A setting is invalid.</exception>
    public static IServiceCollection AddAgentFunctionsApp(this IServiceCollection services, IConfiguration configuration) =>
        AddAgentFunctionsApp(services, configuration, Path.Combine(AppContext.BaseDirectory, "host.json"));

    /// <param name="hostJsonPath">The host.json the Functions host runs with (for settings the host applies, such as <c>maxDequeueCount</c>).</param>
    /// <exception cref="InvalidConfigurationException">A setting is invalid.</exception>
    public static IServiceCollection AddAgentFunctionsApp(this IServiceCollection services, IConfiguration configuration, string? hostJsonPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var roles = CoreConfiguration.LoadRoles(configuration);
        var workflow = CoreConfiguration.LoadWorkflow(configuration);
        var limits = CoreConfiguration.LoadLimits(configuration);
        var security = CoreConfiguration.LoadSecurity(configuration);
        var intake = IntakeSettings.Load(configuration, hostJsonPath);
        CheckRemoteRoleQueues(roles);
        var storage = StorageClientFactory.Create(configuration);

        services.AddSingleton(roles);
        services.AddSingleton(workflow);
        services.AddSingleton(limits);
        services.AddSingleton(security);
        services.AddSingleton(intake);
        services.AddSingleton(storage);
        services.AddSingleton(storage.Blobs);
        services.AddSingleton(storage.Queues);
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<IArtifactStore>(_ =>
            new BlobArtifactStore(storage.Blobs.GetBlobContainerClient(StorageNames.ArtifactsContainer), limits.MaxArtifactBytes));
        services.AddSingleton<IDeadLetterStore>(sp =>
            new BlobDeadLetterStore(storage.Blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer), sp.GetService<ILogger<BlobDeadLetterStore>>()));
        services.AddSingleton<WorkQueues>();
        services.AddSingleton(sp => new AttemptResultWriter(sp.GetRequiredService<IArtifactStore>(), limits, sp.GetRequiredService<TimeProvider>()));

        services.AddSingleton<DurableClientAccessor>();
        services.AddSingleton<HttpTriggerRunner>();
        services.AddSingleton<CircuitStore>();
        services.AddSingleton<RemoteLeases>();
        services.AddSingleton<IWorkerLeases>(sp => sp.GetRequiredService<RemoteLeases>());
        services.AddSingleton<IEngineMonitor, EngineMetrics>();
        services.AddSingleton<ITaskHistory, DurableTaskHistory>();
        services.AddSingleton<DurableTaskEngine>();
        services.AddSingleton<ITaskEngine>(sp => sp.GetRequiredService<DurableTaskEngine>());
        services.AddSingleton<IDeadLetterEngine>(sp => sp.GetRequiredService<DurableTaskEngine>());
        services.AddSingleton<IManagementUrls, DurableManagementUrls>();
        services.AddSingleton<IntakeProcessor>();

        services.AddAgentRunners();
        services.AddAgentFunctionsApi();

        // Hosted services start one after another in registration order, and the Functions worker registered its own
        // (the one that connects to the host and lets triggers run) when the builder was created: the storage
        // initializer goes first, so containers and queues exist before any trigger runs.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, StorageInitializer>());
        return services;
    }

    /// <summary>A remote role's work queue is named <c>work-&lt;role&gt;</c>; the role name must make a valid queue name.</summary>
    private static void CheckRemoteRoleQueues(RoleCatalog roles)
    {
        var problems = roles.All
            .Where(r => r.Runner == RunnerKind.Remote && !StorageNames.IsValidQueueName(StorageNames.WorkQueue(r.Name)))
            .Select(r => $"{CoreConfiguration.RolesSection}:{r.Name}: a remote role's work queue '{StorageNames.WorkQueue(r.Name)}' is not a valid queue name (no trailing or doubled hyphen)")
            .ToList();
        if (problems.Count > 0)
        {
            throw new InvalidConfigurationException(problems);
        }
    }
}
