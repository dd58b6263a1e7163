using AgentFunctions.Api;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Standalone.Auth;
using AgentFunctions.Standalone.Engine;
using AgentFunctions.Standalone.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Hosting;

public static class StandaloneServices
{
    /// <summary>
    /// Loads and validates every setting (throwing <see cref="InvalidConfigurationException"/> that names
    /// the keys) and registers the engine, the stores and the API.
    /// </summary>
    public static StandaloneSettings AddStandaloneEngine(this IServiceCollection services, IConfiguration configuration)
    {
        var problems = new List<string>();
        var roles = Collect(() => CoreConfiguration.LoadRoles(configuration), problems);
        var workflow = Collect(() => CoreConfiguration.LoadWorkflow(configuration), problems);
        var limits = Collect(() => CoreConfiguration.LoadLimits(configuration), problems);
        var security = Collect(() => CoreConfiguration.LoadSecurity(configuration), problems);
        var standalone = Collect(() => StandaloneOptions.Load(configuration), problems);
        var keys = Collect(() => ApiKeyOptions.Load(configuration), problems);
        if (problems.Count > 0)
        {
            throw new InvalidConfigurationException(problems);
        }

        services.AddSingleton(roles!);
        services.AddSingleton(workflow!);
        services.AddSingleton(limits!);
        services.AddSingleton(security!);
        services.AddSingleton(standalone!);
        services.AddSingleton<BodyBudget>();
        services.AddSingleton(new RunnerScratch(Path.GetFullPath(standalone!.TemporaryPath)));
        services.AddSingleton(new ProcessGroupFiles(Path.GetFullPath(standalone.ProcessGroupsPath)));
        services.AddSingleton<IProcessGroupLedger>(sp => sp.GetRequiredService<ProcessGroupFiles>());
        services.AddSingleton(keys!);
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton(new TaskDatabase(standalone!.DatabasePath));
        services.AddSingleton<TaskReader>();
        services.AddSingleton<CarriedOverState>();
        services.AddSingleton<WalCheckpointer>();
        services.AddSingleton<DiskSpace>();
        // Artifacts live in the database; files under artifacts/ hold large ones, those from before, and the mirror.
        services.AddSingleton(sp => new FileSystemArtifactStore(
            standalone.ArtifactsPath,
            new FileSystemArtifactStoreOptions { FlushToDisk = standalone.FlushArtifacts, MaxArtifactBytes = limits!.MaxArtifactBytes },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<FileSystemArtifactStore>>()));
        services.AddSingleton(sp => new DatabaseArtifactStore(
            sp.GetRequiredService<TaskDatabase>(),
            sp.GetRequiredService<Journal>(),
            sp.GetRequiredService<FileSystemArtifactStore>(),
            new FileSystemArtifactStore(
                standalone.ArtifactsPath,
                new FileSystemArtifactStoreOptions { FlushToDisk = true, MaxArtifactBytes = limits!.MaxArtifactBytes },
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<FileSystemArtifactStore>>()),
            limits!.MaxArtifactBytes));
        services.AddSingleton<IArtifactStore>(sp => sp.GetRequiredService<DatabaseArtifactStore>());
        services.AddSingleton<IDeadLetterStore>(sp => new FileSystemDeadLetterStore(
            standalone.DeadLettersPath,
            new FileSystemDeadLetterStoreOptions { FlushToDisk = standalone.FlushArtifacts },
            sp.GetRequiredService<ILogger<FileSystemDeadLetterStore>>()));
        services.AddSingleton<AttemptResultWriter>();

        services.AddSingleton<Journal>();
        services.AddSingleton<WorkScheduler>();
        services.AddSingleton<Dispatcher>();
        services.AddSingleton<CircuitBreakers>();
        services.AddSingleton<PendingWrites>();
        services.AddSingleton<OutboxProcessor>();
        services.AddSingleton<AttemptReporter>();
        services.AddSingleton<ActiveTasks>();
        services.AddSingleton<EngineStatistics>();
        services.AddSingleton<LocalRunnerPool>();
        services.AddSingleton<StandaloneTaskEngine>();
        services.AddSingleton<ITaskEngine>(sp => sp.GetRequiredService<StandaloneTaskEngine>());
        services.AddSingleton<IDeadLetterEngine>(sp => sp.GetRequiredService<StandaloneTaskEngine>());
        services.AddSingleton<IWorkerLeases, RemoteLeases>();
        services.AddSingleton<IEngineMonitor, EngineMetrics>();
        services.AddSingleton<ITaskHistory, StandaloneTaskHistory>();
        services.AddSingleton<StandaloneEngineHost>();
        services.AddHostedService(sp => sp.GetRequiredService<StandaloneEngineHost>());

        services.AddAgentRunners();
        services.AddAgentFunctionsApi();
        return new StandaloneSettings(roles!, workflow!, limits!, standalone, keys!);
    }

    private static T? Collect<T>(Func<T> load, List<string> problems)
        where T : class
    {
        try
        {
            return load();
        }
        catch (InvalidConfigurationException ex)
        {
            problems.AddRange(ex.Problems);
            return null;
        }
    }
}
