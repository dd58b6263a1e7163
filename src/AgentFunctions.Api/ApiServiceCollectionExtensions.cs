using AgentFunctions.Api.Http;
using AgentFunctions.Api.OpenApi;
using AgentFunctions.Api.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentFunctions.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the endpoint groups. The host registers the engine (<see cref="Engine.ITaskEngine"/>, <see cref="Engine.IDeadLetterEngine"/>,
    /// <see cref="Engine.IWorkerLeases"/>, <see cref="Engine.IEngineMonitor"/>, <see cref="Engine.ITaskHistory"/>), the artifact store,
    /// the role catalog, workflow options and limits (see <see cref="ApiDependencies"/>).
    /// </summary>
    public static IServiceCollection AddAgentFunctionsApi(this IServiceCollection services)
    {
        // Problem answers carry the request's traceId on both hosts.
        services.AddProblemDetails();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IManagementUrls, OriginManagementUrls>();
        services.TryAddSingleton<ApiDependencies>();
        services.TryAddSingleton<TaskEndpoints>();
        services.TryAddSingleton<DeadLetterEndpoints>();
        services.TryAddSingleton<WorkerEndpoints>();
        services.TryAddSingleton<OperationsEndpoints>();
        services.TryAddSingleton<RoleEndpoints>();
        services.TryAddSingleton<DurableEndpoints>();
        services.TryAddSingleton<HistoryEndpoints>();
        services.TryAddSingleton<AccessEndpoints>();
        services.TryAddSingleton<Dashboard.DashboardAssets>();
        services.TryAddSingleton<Dashboard.DashboardEndpoints>();
        services.TryAddSingleton<ApiDocument>();
        services.AddMetrics();
        services.TryAddSingleton<AttemptInstruments>();
        services.TryAddSingleton<EngineInstruments>();

        // The figures exist as instruments from the start, so an exporter collects them before /api/metrics is asked.
        services.AddHostedService<InstrumentsActivation>();
        // Used where the host runs UseExceptionHandler (Standalone); the Functions triggers call ApiProblems.ForException.
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }
}
