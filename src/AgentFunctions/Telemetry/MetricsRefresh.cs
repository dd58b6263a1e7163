using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Telemetry;

/// <summary>
/// Keeps the Meter's figures current for an OpenTelemetry exporter. The engine reads them from the task hub with the
/// Durable client of a function invocation, which an exporter's collection does not have; once a minute this timer
/// (one instance at a time, as timers run) reads them and publishes the snapshot the instruments measure. Without an
/// exporter it does nothing.
/// </summary>
public sealed class MetricsRefresh(EngineInstruments instruments, IEngineMonitor monitor, DurableClientAccessor clients)
{
    public const string Schedule = "0 * * * * *";

    [Function("MetricsRefresh")]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!instruments.Observed)
        {
            return;
        }

        using var scope = clients.Use(client);
        instruments.Publish(await monitor.GetMetricsAsync(cancellationToken));
    }
}
