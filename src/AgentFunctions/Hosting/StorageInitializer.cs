using AgentFunctions.Core.Roles;
using AgentFunctions.Logging;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Hosting;

/// <summary>
/// Creates the <c>artifacts</c> and <c>dead-letter</c> containers, the intake queues and one work queue per
/// remote role when the host starts, if they are missing. It is registered ahead of the Functions worker's own
/// hosted service, so it finishes before the worker connects to the host and triggers run. A storage outage is
/// logged (and shows in <c>/api/health</c>) rather than stopping the host, which would only restart into the same
/// outage; <see cref="StartTimeout"/> bounds how long it may hold the start.
/// </summary>
public sealed class StorageInitializer(BlobServiceClient blobs, WorkQueues queues, RoleCatalog roles, ILogger<StorageInitializer> logger) : IHostedService
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(StartTimeout);
        var token = bounded.Token;
        try
        {
            foreach (var container in new[] { StorageNames.ArtifactsContainer, StorageNames.DeadLetterContainer })
            {
                await EnsureAsync(container, "container", async () => (await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: token))?.Value is not null);
            }

            var queueClients = new[] { queues.Intake, queues.IntakePoison }
                .Concat(roles.All.Where(r => r.Runner == RunnerKind.Remote).OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => queues.For(r.Name)));
            foreach (var queue in queueClients)
            {
                await EnsureAsync(queue.Name, "queue", async () => (await queue.CreateIfNotExistsAsync(cancellationToken: token)) is not null);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.StorageEnsureTimedOut(StartTimeout.TotalSeconds);
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
