using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Engine;
using AgentFunctions.Http;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;
using Azure;
using Azure.Storage.Queues.Models;
using Moq;

namespace AgentFunctions.Tests.Engine;

public sealed class RemoteLeasesTests : IDisposable
{
    private readonly TestApp _app = new();
    private readonly List<(string Instance, string Name, object? Payload)> _raised = [];

    public RemoteLeasesTests()
    {
        _app.Client.Setup(c => c.RaiseEventAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Callback((string instance, string name, object? payload, CancellationToken _) => _raised.Add((instance, name, payload)))
            .Returns(Task.CompletedTask);
        _app.WorkQueue("worker").Setup(q => q.DeleteMessageAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Mock.Of<Response>());
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_lease_receives_with_the_role_lease_as_visibility_and_hands_out_the_envelope()
    {
        StoreEnvelope(1);
        _app.AddRemoteRole("t1", "worker", 1);
        Receive(Message(1));

        var grant = await Leases.LeaseAsync("worker", "w-7", TimeSpan.Zero, null, default);

        Assert.NotNull(grant);
        Assert.Equal(("t1", "worker", 1), (grant.TaskId, grant.Role, grant.Attempt));
        Assert.Equal(30, grant.LeaseSeconds);
        Assert.Equal("Do the work.", grant.Input.Instructions);
        Assert.True(LeaseToken.TryDecode(grant.LeaseId, out var messageId, out var pop));
        Assert.Equal(("m-1", "pop-1"), (messageId, pop));
        _app.WorkQueue("worker").Verify(q => q.ReceiveMessageAsync(TimeSpan.FromSeconds(30), It.IsAny<CancellationToken>()));
        Assert.True(_app.Artifacts.Files.ContainsKey(RemotePaths.Lease("worker", "m-1")));
    }

    [Fact]
    public async Task An_empty_queue_answers_no_lease()
    {
        _app.WorkQueue("worker").Setup(q => q.ReceiveMessageAsync(It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue<QueueMessage>(null!, Mock.Of<Response>()));

        Assert.Null(await Leases.LeaseAsync("worker", null, TimeSpan.Zero, null, default));
    }

    [Fact]
    public async Task A_message_seen_again_after_its_lease_expired_is_a_transient_failure_of_that_attempt()
    {
        StoreEnvelope(1);
        _app.AddRemoteRole("t1", "worker", 1);
        _app.WorkQueue("worker").SetupSequence(q => q.ReceiveMessageAsync(It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(Message(1, dequeueCount: 2), Mock.Of<Response>()))
            .ReturnsAsync(Response.FromValue<QueueMessage>(null!, Mock.Of<Response>()));

        Assert.Null(await Leases.LeaseAsync("worker", null, TimeSpan.Zero, null, default));

        var raised = Assert.Single(_raised);
        Assert.Equal(("t1:worker", OrchestrationEvents.RemoteResult(1)), (raised.Instance, raised.Name));
        var failure = Assert.IsType<RemoteAttemptResult>(raised.Payload);
        Assert.False(failure.Succeeded);
        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Contains("lease expired", failure.Error, StringComparison.Ordinal);
        _app.WorkQueue("worker").Verify(q => q.DeleteMessageAsync("m-1", "pop-1", It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task A_superseded_attempt_is_dropped_instead_of_leased()
    {
        StoreEnvelope(1);
        _app.AddRemoteRole("t1", "worker", attempt: 2);
        _app.WorkQueue("worker").SetupSequence(q => q.ReceiveMessageAsync(It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(Message(1), Mock.Of<Response>()))
            .ReturnsAsync(Response.FromValue<QueueMessage>(null!, Mock.Of<Response>()));

        Assert.Null(await Leases.LeaseAsync("worker", null, TimeSpan.Zero, null, default));
        Assert.Empty(_raised);
        _app.WorkQueue("worker").Verify(q => q.DeleteMessageAsync("m-1", "pop-1", It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task A_heartbeat_extends_the_visibility_returns_the_new_lease_id_and_reports_progress()
    {
        var leaseId = await LeaseAsync();
        _app.WorkQueue("worker").Setup(q => q.UpdateMessageAsync("m-1", "pop-1", (string?)null, TimeSpan.FromSeconds(30), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.UpdateReceipt("pop-2", TestApp.Start.AddSeconds(30)), Mock.Of<Response>()));

        var beat = await Leases.HeartbeatAsync("worker", leaseId, new HeartbeatRequest { Progress = 0.4, Message = "compiling" }, default);

        Assert.NotNull(beat);
        Assert.False(beat.Canceled);
        Assert.True(LeaseToken.TryDecode(beat.LeaseId, out _, out var pop));
        Assert.Equal("pop-2", pop);
        Assert.Equal(TestApp.Start.AddSeconds(30), beat.LeaseExpiresAt);
        Assert.Equal(2, _raised.Count);
        var extended = _raised[0];
        Assert.Equal(("t1:worker", OrchestrationEvents.RemoteLease(1)), (extended.Instance, extended.Name));
        Assert.Equal(new RemoteLeaseEvent(1, TestApp.Start.AddSeconds(30), "w-1"), extended.Payload);
        var progress = _raised[1];
        Assert.Equal(("t1", OrchestrationEvents.Progress), (progress.Instance, progress.Name));
        Assert.Equal(new ProgressEventPayload("worker", 1, 0.4, "compiling"), progress.Payload);
    }

    [Fact]
    public async Task A_lease_tells_the_sub_orchestration_when_it_expires()
    {
        StoreEnvelope(1);
        _app.AddRemoteRole("t1", "worker", 1);
        Receive(Message(1));

        var grant = await Leases.LeaseAsync("worker", "w-7", TimeSpan.Zero, null, default);

        var raised = Assert.Single(_raised);
        Assert.Equal(("t1:worker", OrchestrationEvents.RemoteLease(1)), (raised.Instance, raised.Name));
        Assert.Equal(new RemoteLeaseEvent(1, grant!.LeaseExpiresAt, "w-7"), raised.Payload);
    }

    [Fact]
    public async Task Whether_an_attempt_is_current_is_read_from_custom_status_without_fetching_inputs()
    {
        _app.AddRemoteRole("t1", "worker-2", 1, Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed); // shares the prefix
        StoreEnvelope(1);
        _app.AddRemoteRole("t1", "worker", 1);
        Receive(Message(1));

        Assert.NotNull(await Leases.LeaseAsync("worker", "w-7", TimeSpan.Zero, null, default));

        Assert.NotEmpty(_app.Queries);
        Assert.All(_app.Queries, q => Assert.False(q?.FetchInputsAndOutputs));
        Assert.All(_app.Queries, q => Assert.Equal("t1:worker", q?.InstanceIdPrefix));
        _app.Client.Verify(c => c.GetInstancesAsync(It.IsAny<string>(), true, It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_heartbeat_tells_the_worker_when_its_attempt_is_no_longer_wanted()
    {
        var leaseId = await LeaseAsync();
        _app.AddRemoteRole("t1", "worker", 1, Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed);
        _app.WorkQueue("worker").Setup(q => q.UpdateMessageAsync("m-1", "pop-1", (string?)null, It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.UpdateReceipt("pop-2", TestApp.Start.AddSeconds(30)), Mock.Of<Response>()));

        var beat = await Leases.HeartbeatAsync("worker", leaseId, new HeartbeatRequest(), default);

        Assert.True(beat!.Canceled);
    }

    [Fact]
    public async Task A_lease_whose_pop_receipt_is_gone_answers_410_through_the_trigger()
    {
        var leaseId = await LeaseAsync();
        _app.WorkQueue("worker").Setup(q => q.UpdateMessageAsync("m-1", "pop-1", (string?)null, It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(404, "message not found", "MessageNotFound", null));
        var request = HttpCall.Request("POST", $"/api/workers/worker/leases/{leaseId}/heartbeat", "{}");

        var answer = await HttpCall.RunAsync(request, await _app.Create<WorkerHttpFunctions>().HeartbeatAsync(request, "worker", leaseId, _app.Client.Object, default));

        Assert.Equal(410, answer.Status);
    }

    [Fact]
    public async Task Complete_stores_the_result_raises_it_on_the_sub_orchestration_and_deletes_the_message()
    {
        var leaseId = await LeaseAsync();
        Hold("pop-3");

        var accepted = await Leases.CompleteAsync("worker", leaseId, AgentResult.Completed("# Done", "all good"), default);

        Assert.True(accepted);
        Assert.Equal("# Done", _app.Artifacts.Text(ArtifactLayout.ResultMarkdown("t1", "worker")));
        var raised = Assert.Single(_raised);
        Assert.Equal(("t1:worker", OrchestrationEvents.RemoteResult(1)), (raised.Instance, raised.Name));
        var result = Assert.IsType<RemoteAttemptResult>(raised.Payload);
        Assert.True(result.Succeeded);
        Assert.Equal("tasks/t1/results/worker.md", result.Result!.ResultRef);
        _app.WorkQueue("worker").Verify(q => q.DeleteMessageAsync("m-1", "pop-3", It.IsAny<CancellationToken>()));
        Assert.False(_app.Artifacts.Files.ContainsKey(RemotePaths.Lease("worker", "m-1")));
    }

    [Fact]
    public async Task Fail_raises_a_permanent_failure_when_the_worker_says_so()
    {
        var leaseId = await LeaseAsync();
        Hold("pop-3");

        Assert.True(await Leases.FailAsync("worker", leaseId, new FailRequest { Reason = "bad input", Permanent = true }, default));

        var failure = Assert.IsType<RemoteAttemptResult>(Assert.Single(_raised).Payload);
        Assert.Equal((false, FailureKind.Permanent, "bad input"), (failure.Succeeded, failure.Kind, failure.Error));
    }

    [Fact]
    public async Task A_late_result_of_an_ended_task_is_kept_only_as_discarded()
    {
        var leaseId = await LeaseAsync();
        Hold("pop-3");
        _app.AddRemoteRole("t1", "worker", 1, Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed);

        Assert.True(await Leases.CompleteAsync("worker", leaseId, AgentResult.Completed("# Late"), default));

        Assert.Empty(_raised);
        Assert.False(_app.Artifacts.Files.ContainsKey(ArtifactLayout.ResultMarkdown("t1", "worker")));
        Assert.Contains(_app.Artifacts.Files.Keys, k => k.StartsWith("tasks/t1/discarded/worker/attempt-1/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Release_offers_the_same_attempt_again_as_a_fresh_message()
    {
        var leaseId = await LeaseAsync();
        Hold("pop-3");
        string? sent = null;
        _app.WorkQueue("worker").Setup(q => q.SendMessageAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback((string body, CancellationToken _) => sent = body)
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.SendReceipt("m-2", TestApp.Start, TestApp.Start.AddDays(7), "pop-9", TestApp.Start), Mock.Of<Response>()));

        Assert.True(await Leases.ReleaseAsync("worker", leaseId, default));

        // The sub-orchestration stops timing the lease: the attempt waits in the queue again.
        var released = Assert.Single(_raised);
        Assert.Equal(("t1:worker", OrchestrationEvents.RemoteLease(1)), (released.Instance, released.Name));
        Assert.Equal(new RemoteLeaseEvent(1, null, "w-1"), released.Payload);
        var message = JsonSerializer.Deserialize<RemoteWorkMessage>(sent!, CoreJson.Options)!;
        Assert.Equal(("t1", "worker", 1, "t1:worker"), (message.TaskId, message.Role, message.Attempt, message.InstanceId));
        _app.WorkQueue("worker").Verify(q => q.DeleteMessageAsync("m-1", "pop-3", It.IsAny<CancellationToken>()));
        Assert.False(_app.Artifacts.Files.ContainsKey(RemotePaths.Lease("worker", "m-1")));
    }

    [Fact]
    public async Task A_shorter_lease_asked_by_the_worker_is_the_visibility_of_the_receive()
    {
        StoreEnvelope(1);
        _app.AddRemoteRole("t1", "worker", 1);
        Receive(Message(1));

        var grant = await Leases.LeaseAsync("worker", "w-7", TimeSpan.Zero, TimeSpan.FromSeconds(10), default);

        Assert.Equal(10, grant!.LeaseSeconds);
        _app.WorkQueue("worker").Verify(q => q.ReceiveMessageAsync(TimeSpan.FromSeconds(10), It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task An_unknown_lease_id_is_gone()
    {
        Assert.Null(await Leases.HeartbeatAsync("worker", LeaseToken.Encode("m-404", "pop"), new HeartbeatRequest(), default));
        Assert.False(await Leases.FailAsync("worker", "not-a-token", new FailRequest(), default));
    }

    private RemoteLeases Leases
    {
        get
        {
            _ = _app.Get<AgentFunctions.Hosting.DurableClientAccessor>().Use(_app.Client.Object);
            return _app.Get<RemoteLeases>();
        }
    }

    private async Task<string> LeaseAsync()
    {
        StoreEnvelope(1);
        _app.AddRemoteRole("t1", "worker", 1);
        Receive(Message(1));
        var grant = await Leases.LeaseAsync("worker", "w-1", TimeSpan.Zero, null, default);
        Assert.Equal(OrchestrationEvents.RemoteLease(1), Assert.Single(_raised).Name);
        _raised.Clear();
        return grant!.LeaseId;
    }

    private void Hold(string newPop) =>
        _app.WorkQueue("worker").Setup(q => q.UpdateMessageAsync("m-1", It.IsAny<string>(), (string?)null, RemoteLeases.SettleHold, It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.UpdateReceipt(newPop, TestApp.Start.AddSeconds(60)), Mock.Of<Response>()));

    private void Receive(QueueMessage message) =>
        _app.WorkQueue("worker").Setup(q => q.ReceiveMessageAsync(It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(message, Mock.Of<Response>()));

    private void StoreEnvelope(int attempt)
    {
        var envelope = new AgentAttempt { TaskId = "t1", Role = "worker", Attempt = attempt, MaxAttempts = 3, Type = "task", Instructions = "Do the work.", Prompt = "# Task t1" };
        _app.Artifacts.Files[RemotePaths.Envelope("t1", "worker", attempt)] = (JsonSerializer.SerializeToUtf8Bytes(envelope, CoreJson.Options), ArtifactContentTypes.Json);
    }

    private static QueueMessage Message(int attempt, long dequeueCount = 1) => QueuesModelFactory.QueueMessage(
        "m-1", "pop-1", JsonSerializer.Serialize(new RemoteWorkMessage("t1", "worker", attempt, "t1:worker", 30), CoreJson.Options), dequeueCount, TestApp.Start.AddSeconds(30));
}
