using AgentFunctions.Core.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentFunctions.Core.Runners;

/// <summary>Registers the in-process agent runners with a host's services.</summary>
public static class AgentRunnerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IAgentRunnerFactory"/>, the <see cref="AgentProcess"/> executor, the runners' named
    /// <see cref="HttpClient"/>, and <see cref="TimeProvider.System"/> and the default <see cref="TaskLimits"/>
    /// unless the host registered its own (hosts register the limits they loaded from configuration).
    /// </summary>
    public static IServiceCollection AddAgentRunners(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new TaskLimits());
        // Each role has its own timeout; HttpClient's 100 s default must not cut a longer one short.
        services.AddHttpClient(AgentRunnerFactory.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<AgentProcess>();
        services.TryAddSingleton<IAgentRunnerFactory, AgentRunnerFactory>();
        return services;
    }
}
