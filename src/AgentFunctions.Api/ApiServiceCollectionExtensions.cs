using AgentFunctions.Api.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentFunctions.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the endpoint groups. The host registers <see cref="Engine.ITaskEngine"/>, the artifact store,
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
        services.TryAddSingleton<DurableEndpoints>();
        // Used where the host runs UseExceptionHandler (Standalone); the Functions triggers call ApiProblems.ForException.
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }
}
