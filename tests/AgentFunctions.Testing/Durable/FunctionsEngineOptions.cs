using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Testing.Durable;

/// <summary>How a <see cref="FunctionsEngineHost"/> runs: the app settings, the Durable backend, and test-only services.</summary>
public sealed class FunctionsEngineOptions
{
    /// <summary>
    /// App settings as the Functions host would pass them (<c>Roles:&lt;name&gt;:Runner</c>, <c>Workflow:*</c>, <c>Limits:*</c>),
    /// including <c>AzureWebJobsStorage</c>, the account of the artifacts, dead letters and queues.
    /// </summary>
    public IDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The orchestration service under the sidecar; in-memory unless set.</summary>
    public DurableBackend Backend { get; init; } = DurableBackend.InMemory();

    /// <summary>Runs after the app's own registrations (AddAgentFunctionsApp), to replace a service for a test.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>What <see cref="FunctionsEngineHost.Log"/> keeps (warnings and errors unless set).</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Warning;

    /// <summary>The longest the host waits for the sidecar, the worker and the API to start.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
