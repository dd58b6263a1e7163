using AgentFunctions.Core.Contracts;

namespace AgentFunctions.Api.Engine;

/// <summary>How an engine reports on itself: <c>/api/health</c> for probes (no key, so nothing internal) and <c>/api/metrics</c> for operators.</summary>
public interface IEngineMonitor
{
    Task<MetricsSnapshot> GetMetricsAsync(CancellationToken cancellationToken);

    Task<HealthReport> CheckHealthAsync(CancellationToken cancellationToken);
}
