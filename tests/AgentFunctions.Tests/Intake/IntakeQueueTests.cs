using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Hosting;
using AgentFunctions.Intake;
using AgentFunctions.Orchestration;
using AgentFunctions.Testing.Azurite;
using AgentFunctions.Tests.Support;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Moq;

namespace AgentFunctions.Tests.Intake;

/// <summary>
/// Queue intake on real queues and blobs (Azurite): a coordinator puts a base64-encoded spec on <c>agent-tasks</c>, the
/// trigger gets the message as the Functions host delivers it, and what cannot become a task lands in the real
/// <c>dead-letter</c> container. Moving a message to <c>agent-tasks-poison</c> after <c>maxDequeueCount</c> tries is
/// the host's work and cannot run here; what the app does with a poison message is shown.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class IntakeQueueTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly AzuriteApp _app = new(azurite);

    public Task InitializeAsync() => _app.InitializeStorageAsync();

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_spec_queued_by_a_coordinator_starts_its_task_and_stores_its_spec()
    {
        var taskId = AzuriteApp.UniqueTaskId("q");
        TaskInput? started = null;
        _app.Durable.Client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Callback((TaskName _, object? input, StartOrchestrationOptions? _, CancellationToken _) => started = (TaskInput)input!)
            .ReturnsAsync(taskId);
        var message = await SendAndReceiveAsync(_app.Queues.Intake, $$"""{ "id": "{{taskId}}", "to": ["review"], "instructions": "Check it.", "context": "The diff." }""");

        await _app.Create<QueueIntakeFunctions>().RunAsync(message, _app.Durable.Client.Object, default);

        Assert.Equal(taskId, started?.Id);
        Assert.Equal("The diff.", await _app.Artifacts.ReadTextAsync(ArtifactLayout.Context(taskId)));
        Assert.True(await _app.Artifacts.ExistsAsync(ArtifactLayout.Spec(taskId), default));
        Assert.Null(await _app.DeadLetters.GetAsync(IntakeRecordId(taskId, message), default));
        Assert.Null(_app.Get<DurableClientAccessor>().TryGetCurrent()); // the scope closed with the invocation
    }

    [Fact]
    public async Task A_queued_message_that_is_not_a_spec_becomes_a_dead_letter_blob_instead_of_a_retry()
    {
        var message = await SendAndReceiveAsync(_app.Queues.Intake, "not json");

        await _app.Create<QueueIntakeFunctions>().RunAsync(message, _app.Durable.Client.Object, default);

        var record = await _app.DeadLetters.GetAsync(IntakeRecordId("queue", message), default);
        Assert.NotNull(record);
        Assert.Equal(IntakeProcessor.IntakeRole, record.Role);
        Assert.Contains("not JSON", record.Reason, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Permanent, Assert.Single(record.Failures).Kind);
        _app.Durable.Client.Verify(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_poison_message_becomes_a_dead_letter_record_with_its_whole_spec_and_the_configured_tries()
    {
        var taskId = AzuriteApp.UniqueTaskId("q");
        // The copy on the poison queue is on its first delivery; the tries it took are host.json's maxDequeueCount (5).
        var message = await SendAndReceiveAsync(_app.Queues.IntakePoison, $$"""{ "id": "{{taskId}}", "to": ["review"], "instructions": "Check it.", "context": "queued context" }""");

        await _app.Create<QueueIntakeFunctions>().PoisonAsync(message, default);

        var page = await _app.DeadLetters.ListAsync(new DeadLetterQuery(TaskId: taskId), default);
        var record = Assert.Single(page.Items);
        Assert.Equal(IntakeRecordId(taskId, message), record.Id);
        Assert.Equal(5, record.Attempts);
        Assert.Equal(5, Assert.Single(record.Failures).Attempt);
        Assert.Contains(StorageNames.IntakePoisonQueue, record.Reason, StringComparison.Ordinal);
        Assert.Equal("Check it.", record.Spec?.Instructions);
        Assert.Equal("queued context", record.Spec?.Context);
    }

    [Fact]
    public async Task A_poison_message_that_is_not_a_spec_is_still_recorded()
    {
        var message = await SendAndReceiveAsync(_app.Queues.IntakePoison, "garbage");

        await _app.Create<QueueIntakeFunctions>().PoisonAsync(message, default);

        var record = await _app.DeadLetters.GetAsync(IntakeRecordId("queue", message), default);
        Assert.Equal("queue", record?.TaskId);
        Assert.Null(record?.Spec);
    }

    /// <summary>
    /// Sends as a coordinator does (the app's queue clients encode base64, as the trigger expects) and receives the
    /// message the way the Functions host hands it to the trigger: decoded, with its id and dequeue count.
    /// </summary>
    private static async Task<QueueMessage> SendAndReceiveAsync(QueueClient queue, string body)
    {
        var sent = await queue.SendMessageAsync(body);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (DateTimeOffset.UtcNow < deadline)
        {
            foreach (var message in (await queue.ReceiveMessagesAsync(32)).Value)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                if (message.MessageId == sent.Value.MessageId)
                {
                    return message;
                }
            }
        }

        throw new InvalidOperationException($"Message {sent.Value.MessageId} never came back from {queue.Name}.");
    }

    private static string IntakeRecordId(string taskId, QueueMessage message) =>
        ArtifactLayout.DeadLetterId(taskId, IntakeProcessor.IntakeRole) + "-" + message.MessageId;
}
