using AgentFunctions.Hosting;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Intake;

/// <summary>Queue triggers: task specs on <c>agent-tasks</c>, and what the runtime gave up on in <c>agent-tasks-poison</c>.</summary>
public sealed class QueueIntakeFunctions(IntakeProcessor processor, DurableClientAccessor clients)
{
    [Function("IntakeTask")]
    public async Task RunAsync(
        [QueueTrigger(StorageNames.IntakeQueue, Connection = StorageNames.Connection)] QueueMessage message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var scope = clients.Use(client);
        await processor.ProcessAsync(message.MessageId, message.DequeueCount, message.Body?.ToString() ?? string.Empty, cancellationToken);
    }

    [Function("IntakePoison")]
    public Task PoisonAsync(
        [QueueTrigger(StorageNames.IntakePoisonQueue, Connection = StorageNames.Connection)] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return processor.ProcessPoisonAsync(message.MessageId, message.Body?.ToString() ?? string.Empty, cancellationToken);
    }
}
