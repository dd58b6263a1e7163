using AgentFunctions.Core.Roles;
using AgentFunctions.Logging;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Hosting;

/// <summary>
/// Creates the <c>artifacts</c> and <c>dead-letter</c> containers, the intake queues and one work queue per
/// remote role when the host starts, if they are missing. A storage outage is logged (and shows in
/// <c>/api/health</c>) rather than stopping the host, which would only restart into the same outage.
/// </summary>
public sealed class StorageInitializer(BlobServiceClient blobs, WorkQueues queues, RoleCatalog roles, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var container in new[] { StorageNames.ArtifactsContainer, StorageNames.DeadLetterContainer })
        {
            await EnsureAsync(container, "container", async () => (await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken))?.Value is not null);
        }

        var queueClients = new[] { queues.Intake, queues.IntakePoison }
            .Concat(roles.All.Where(r => r.Runner == RunnerKind.Remote).OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => queues.For(r.Name)));
        foreach (var queue in queueClients)
        {
            await EnsureAsync(queue.Name, "queue", async () => (await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken)) is not null);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureAsync(string name, string kind, Func<Task<bool>> create)
    {
        try
        {
            // CreateIfNotExists answers null when it already existed.
            if (await create())
            {
                logger.StorageEnsured(name, kind);
            }
        }
        catch (RequestFailedException ex)
        {
            logger.StorageEnsureFailed(name, kind, ex);
        }
    }
}
