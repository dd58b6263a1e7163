using DurableTask.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Testing.Durable;

/// <summary>The in-memory orchestration service of Microsoft.DurableTask.InProcessTestHost: nothing to start, nothing kept.</summary>
internal sealed class InMemoryDurableBackend : DurableBackend
{
    public override string Name => "in-memory";

    internal override Task<IOrchestrationService> CreateAsync(ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        Task.FromResult<IOrchestrationService>(new SidecarCompatibleService(new InMemoryOrchestrationService(loggerFactory)));
}
