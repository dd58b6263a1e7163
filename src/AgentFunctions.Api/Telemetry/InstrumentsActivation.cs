using Microsoft.Extensions.Hosting;

namespace AgentFunctions.Api.Telemetry;

/// <summary>Creates the Meter's instruments when the host starts (they are singletons made on first use otherwise).</summary>
internal sealed class InstrumentsActivation(EngineInstruments figures, AttemptInstruments attempts) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(figures);
        GC.KeepAlive(attempts);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
