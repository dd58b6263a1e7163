using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Durable.Tests.Support;
using AgentFunctions.Hosting;
using AgentFunctions.Intake;
using Azure.Storage.Queues.Models;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using static AgentFunctions.Durable.Tests.Support.ScenarioRoles;

namespace AgentFunctions.Durable.Tests.Scenarios;

/// <summary>
/// Queue intake on the in-memory backend, with the real queues on Azurite. The Functions host, which runs queue
/// triggers, cannot run here: the test plays its part (receive the message, call the trigger function with it and
/// the Durable client, delete it when the function returns) and otherwise everything is the app's.
/// </summary>
public sealed class IntakeScenarios(InMemoryEngine engine) : IClassFixture<InMemoryEngine>, IDisposable
{
    private readonly EngineApi _api = new(engine.Host);

    [Fact]
    public async Task A_spec_on_the_intake_queue_starts_its_task_and_a_bad_or_poison_message_is_dead_lettered()
    {
        var queues = engine.Host.Services.GetRequiredService<WorkQueues>();
        var functions = ActivatorUtilities.CreateInstance<QueueIntakeFunctions>(engine.Host.Services);
        var id = EngineApi.NewId("intake");
        await queues.Intake.SendMessageAsync(JsonSerializer.Serialize(new { id, to = new[] { Impl, Review }, instructions = "From the queue." }, CoreJson.Options));
        await queues.Intake.SendMessageAsync("""{ "id": "bad-intake", "to": [], "instructions": "" }""");
        await queues.IntakePoison.SendMessageAsync(JsonSerializer.Serialize(new { id = "poisoned-1", to = new[] { Impl }, instructions = "Kept failing." }, CoreJson.Options));

        var intake = await ReceiveAsync(queues.Intake, 2);
        foreach (var message in intake)
        {
            await functions.RunAsync(message, engine.Host.Client, CancellationToken.None);
            await queues.Intake.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        var poison = Assert.Single(await ReceiveAsync(queues.IntakePoison, 1));
        await functions.PoisonAsync(poison, CancellationToken.None);

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal(2, view.Roles.Count);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _api.InstanceAsync(id)).RuntimeStatus);

        var bad = intake.Single(m => m.Body.ToString().Contains("bad-intake", StringComparison.Ordinal));
        var rejected = await _api.DeadLetterAsync($"bad-intake~{DeadLetterRecord.IntakeRole}-{bad.MessageId}");
        Assert.StartsWith("invalid task spec:", rejected.Reason, StringComparison.Ordinal);
        Assert.Null(rejected.Spec);
        Assert.Null(await engine.Host.Client.GetInstanceAsync("bad-intake"));

        var poisoned = await _api.DeadLetterAsync($"poisoned-1~{DeadLetterRecord.IntakeRole}-{poison.MessageId}");
        Assert.Equal(5, poisoned.Attempts); // host.json's maxDequeueCount
        Assert.Contains("moved to agent-tasks-poison", poisoned.Reason, StringComparison.Ordinal);
        Assert.Equal("Kept failing.", poisoned.Spec?.Instructions);

        // The poison record can be replayed: the whole spec runs as a new task.
        using var replay = await _api.PostAsync($"api/deadletters/{poisoned.Id}/replay");
        Assert.Equal(System.Net.HttpStatusCode.Accepted, replay.StatusCode);
        await _api.WaitForStateAsync("poisoned-1.r1", AgentTaskStatus.Completed);
    }

    public void Dispose() => _api.Dispose();

    private static async Task<List<QueueMessage>> ReceiveAsync(Azure.Storage.Queues.QueueClient queue, int count)
    {
        var received = new List<QueueMessage>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (received.Count < count && DateTime.UtcNow < deadline)
        {
            var batch = await queue.ReceiveMessagesAsync(count - received.Count, TimeSpan.FromMinutes(1));
            received.AddRange(batch.Value);
        }

        Assert.Equal(count, received.Count);
        return received;
    }
}
