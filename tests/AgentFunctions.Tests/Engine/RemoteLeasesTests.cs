using AgentFunctions.Activities;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Engine;
using AgentFunctions.Hosting;
using AgentFunctions.Http;
using AgentFunctions.Orchestration;
using AgentFunctions.Testing.Azurite;
using AgentFunctions.Tests.Support;
using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Moq;

namespace AgentFunctions.Tests.Engine;

/// <summary>
/// The remote worker protocol on real work queues and blobs (Azurite): what a lease, heartbeat, complete, fail and
/// release do to the queue message, and what the waiting sub-orchestration is told. The Durable client is a double
/// here (the sub-orchestration's side runs on the real Durable runtime in AgentFunctions.Durable.Tests).
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class RemoteLeasesTests : IAsyncLifetime
{
    private readonly string _role = AzuriteApp.UniqueRole();
    private readonly string _taskId = AzuriteApp.UniqueTaskId();
    private readonly AzuriteApp _app;
    private readonly List<(string Instance, string Name, object? Payload)> _raised = [];

    public RemoteLeasesTests(AzuriteFixture azurite)
    {
        _app = new AzuriteApp(azurite, new Dictionary<string, string?>
        {
            [$"Roles:{_role}:Runner"] = "remote",
            [$"Roles:{_role}:LeaseSeconds"] = "30",
            [$"Roles:{_role}:Retry:MaxAttempts"] = "3",
        });
        _app.Durable.Client.Setup(c => c.RaiseEventAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Callback((string instance, string name, object? payload, CancellationToken _) => _raised.Add((instance, name, payload)))
            .Returns(Task.CompletedTask);
    }

    private string InstanceId => OrchestrationNames.RemoteInstanceId(_taskId, _role);

    private QueueClient Queue => _app.Queues.For(_role);

    private RemoteLeases Leases
    {
        get
        {
            _ = _app.Get<DurableClientAccessor>().Use(_app.Durable.Client.Object);
            return _app.Get<RemoteLeases>();
        }
    }

    public Task InitializeAsync() => _app.InitializeStorageAsync();

    public async Task DisposeAsync()
    {
        await Queue.DeleteIfExistsAsync();
        _app.Dispose();
    }

    private static readonly IReadOnlySet<string> NoCapabilities = new HashSet<string>(StringComparer.Ordinal);

    [Fact]
    public async Task A_dispatched_attempt_is_leased_with_its_envelope_and_hidden_from_other_workers_for_the_lease()
    {
        await DispatchAsync(attempt: 1);

        var grant = await Leases.LeaseAsync(_role, "w-7", NoCapabilities, null, TimeSpan.Zero, null, default);
        var second = await Leases.LeaseAsync(_role, "w-8", NoCapabilities, null, TimeSpan.Zero, null, default);

        Assert.NotNull(grant);
        Assert.Equal((_taskId, _role, 1, 3), (grant.TaskId, grant.Role, grant.Attempt, grant.MaxAttempts));
        Assert.Equal(30, grant.LeaseSeconds);
        Assert.Equal("Do the work.", grant.Input.Instructions);
        Assert.Contains("attempt 1 of 3", grant.Prompt, StringComparison.Ordinal);
        Assert.InRange(grant.LeaseExpiresAt, DateTimeOffset.UtcNow.AddSeconds(20), DateTimeOffset.UtcNow.AddSeconds(31));
        Assert.Null(second); // invisible while leased
        Assert.Equal(1, await DepthAsync());
        var record = await _app.Artifacts.ReadJsonAsync<LeaseRecord>(RemotePaths.Lease(_role, MessageId(grant.LeaseId)), default);
        Assert.Equal(("w-7", 1, InstanceId), (record!.WorkerId, record.Attempt, record.InstanceId));
        var raised = Assert.Single(_raised);
        Assert.Equal((InstanceId, OrchestrationEvents.RemoteLease(1)), (raised.Instance, raised.Name));
        Assert.Equal(new RemoteLeaseEvent(1, grant.LeaseExpiresAt, "w-7"), raised.Payload);
    }

    [Fact]
    public async Task An_empty_queue_answers_no_lease_once_the_wait_is_over()
    {
        Assert.Null(await Leases.LeaseAsync(_role, null, NoCapabilities, null, TimeSpan.FromSeconds(1), null, default));
    }

    [Fact]
    public async Task A_lease_that_runs_out_is_redelivered_and_reported_as_a_transient_failure_of_that_attempt()
    {
        await DispatchAsync(attempt: 1);
        var grant = await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, TimeSpan.FromSeconds(1), default);
        Assert.Equal(1, grant!.LeaseSeconds);
        _raised.Clear();

        // The message becomes visible again after a second, and the next lease call meets it on its second delivery.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (_raised.Count == 0 && DateTimeOffset.UtcNow < deadline)
        {
            Assert.Null(await Leases.LeaseAsync(_role, "w-2", NoCapabilities, null, TimeSpan.Zero, null, default));
            await Task.Delay(200);
        }

        var raised = Assert.Single(_raised);
        Assert.Equal((InstanceId, OrchestrationEvents.RemoteResult(1)), (raised.Instance, raised.Name));
        var failure = Assert.IsType<RemoteAttemptResult>(raised.Payload);
        Assert.Equal((false, FailureKind.Transient), (failure.Succeeded, failure.Kind));
        Assert.Contains("lease expired", failure.Error, StringComparison.Ordinal);
        Assert.Equal(0, await DepthAsync());
        Assert.False(await _app.Artifacts.ExistsAsync(RemotePaths.Lease(_role, MessageId(grant.LeaseId)), default));
    }

    [Fact]
    public async Task A_heartbeat_extends_the_visibility_hands_out_a_new_lease_id_and_reports_progress()
    {
        await DispatchAsync(attempt: 1);
        var grant = await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, TimeSpan.FromSeconds(2), default);
        _raised.Clear();

        var beat = await Leases.HeartbeatAsync(_role, grant!.LeaseId, new HeartbeatRequest { Progress = 0.4, Message = "compiling" }, default);

        Assert.NotNull(beat);
        Assert.False(beat.Canceled);
        Assert.NotEqual(grant.LeaseId, beat.LeaseId); // a new pop receipt
        Assert.True(beat.LeaseExpiresAt >= grant.LeaseExpiresAt);
        Assert.Equal(2, _raised.Count);
        Assert.Equal((InstanceId, OrchestrationEvents.RemoteLease(1)), (_raised[0].Instance, _raised[0].Name));
        Assert.Equal(new RemoteLeaseEvent(1, beat.LeaseExpiresAt, "w-1"), _raised[0].Payload);
        Assert.Equal((_taskId, OrchestrationEvents.Progress), (_raised[1].Instance, _raised[1].Name));
        Assert.Equal(new ProgressEventPayload(_role, 1, 0.4, "compiling"), _raised[1].Payload);
        Assert.Null(await Leases.HeartbeatAsync(_role, grant.LeaseId, new HeartbeatRequest(), default)); // the old pop receipt is spent
        Assert.NotNull(await Leases.HeartbeatAsync(_role, beat.LeaseId, new HeartbeatRequest(), default));
    }

    [Fact]
    public async Task A_heartbeat_tells_the_worker_when_its_attempt_is_no_longer_wanted()
    {
        await DispatchAsync(attempt: 1);
        var grant = await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, null, default);
        _app.Durable.AddRemoteRole(_taskId, _role, 1, DateTimeOffset.UtcNow, OrchestrationRuntimeStatus.Terminated);

        var beat = await Leases.HeartbeatAsync(_role, grant!.LeaseId, new HeartbeatRequest(), default);

        Assert.True(beat!.Canceled);
    }

    [Fact]
    public async Task A_heartbeat_on_an_attempt_that_was_retried_after_its_lease_expired_finds_the_lease_gone()
    {
        await DispatchAsync(attempt: 1);
        var grant = await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, null, default);
        _app.Durable.AddRemoteRole(_taskId, _role, 2, DateTimeOffset.UtcNow); // the orchestration timed the lease out

        Assert.Null(await Leases.HeartbeatAsync(_role, grant!.LeaseId, new HeartbeatRequest(), default));

        Assert.False(await _app.Artifacts.ExistsAsync(RemotePaths.Lease(_role, MessageId(grant.LeaseId)), default));
    }

    [Fact]
    public async Task Complete_stores_the_result_raises_it_on_the_sub_orchestration_and_deletes_the_message()
    {
        await DispatchAsync(attempt: 1);
        var grant = await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, null, default);
        _raised.Clear();

        Assert.True(await Leases.CompleteAsync(_role, grant!.LeaseId, AgentResult.Completed("# Done", "all good"), default));

        Assert.Equal("# Done", await _app.Artifacts.ReadTextAsync(ArtifactLayout.ResultMarkdown(_taskId, _role)));
        var raised = Assert.Single(_raised);
        Assert.Equal((InstanceId, OrchestrationEvents.RemoteResult(1)), (raised.Instance, raised.Name));
        var result = Assert.IsType<RemoteAttemptResult>(raised.Payload);
        Assert.True(result.Succeeded);
        Assert.Equal(ArtifactLayout.ResultMarkdown(_taskId, _role), result.Result!.ResultRef);
        Assert.Equal(0, await DepthAsync());
        Assert.False(await _app.Artifacts.ExistsAsync(RemotePaths.Lease(_role, MessageId(grant.LeaseId)), default));
        Assert.False(await Leases.CompleteAsync(_role, grant.LeaseId, AgentResult.Completed("# Again"), default)); // gone: 410
    }

    [Fact]
    public async Task Fail_raises_a_permanent_failure_when_the_worker_says_so_and_deletes_the_message()
    {
        await DispatchAsync(attempt: 1);
        var grant = await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, null, default);
        _raised.Clear();

        Assert.True(await Leases.FailAsync(_role, grant!.LeaseId, new FailRequest { Reason = "bad input", Permanent = true }, default));

        var failure = Assert.IsType<RemoteAttemptResult>(Assert.Single(_raised).Payload);
        Assert.Equal((false, FailureKind.Permanent, "bad input"), (failure.Succeeded, failure.Kind, failure.Error));
        Assert.Equal(0, await DepthAsync());
    }

    [Fact]
    public async Task A_late_result_of_an_ended_task_is_kept_only_as_discarded()
    {
        await DispatchAsync(attempt: 1);
        var grant = await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, null, default);
        _raised.Clear();
        _app.Durable.AddRemoteRole(_taskId, _role, 1, DateTimeOffset.UtcNow, OrchestrationRuntimeStatus.Completed);

        Assert.True(await Leases.CompleteAsync(_role, grant!.LeaseId, AgentResult.Completed("# Late"), default));

        Assert.Empty(_raised);
        Assert.False(await _app.Artifacts.ExistsAsync(ArtifactLayout.ResultMarkdown(_taskId, _role), default));
        var discarded = new List<string>();
        await foreach (var item in _app.Artifacts.ListAsync($"tasks/{_taskId}/discarded/{_role}/attempt-1/", default))
        {
            discarded.Add(item.Path);
        }

        Assert.NotEmpty(discarded);
        Assert.Equal(0, await DepthAsync());
    }

    [Fact]
    public async Task Release_puts_the_same_attempt_back_as_a_fresh_message_that_the_next_worker_leases()
    {
        await DispatchAsync(attempt: 1);
        var grant = await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, null, default);
        _raised.Clear();

        Assert.True(await Leases.ReleaseAsync(_role, grant!.LeaseId, default));

        // The sub-orchestration stops timing the lease: the attempt waits in the queue again, in a message it is told of.
        Assert.Equal(2, _raised.Count);
        Assert.All(_raised, raised => Assert.Equal((InstanceId, OrchestrationEvents.RemoteLease(1)), (raised.Instance, raised.Name)));
        Assert.Equal(new RemoteLeaseEvent(1, null, "w-1"), _raised[0].Payload);
        var requeued = Assert.IsType<RemoteLeaseEvent>(_raised[1].Payload);
        Assert.Equal((1, (DateTimeOffset?)null), (requeued.Attempt, requeued.LeaseExpiresAt));
        Assert.True(LeaseToken.TryDecode(requeued.Queued, out _, out _));
        Assert.Equal(1, await DepthAsync());
        _raised.Clear();
        var again = await Leases.LeaseAsync(_role, "w-2", NoCapabilities, null, TimeSpan.Zero, null, default);
        Assert.Equal((_taskId, 1), (again!.TaskId, again.Attempt)); // a fresh copy: not taken for an expired lease
        Assert.NotEqual(MessageId(grant.LeaseId), MessageId(again.LeaseId));
        Assert.Equal(OrchestrationEvents.RemoteLease(1), Assert.Single(_raised).Name);
    }

    [Fact]
    public async Task A_worker_naming_the_task_takes_that_attempt_by_its_send_receipt_and_no_other()
    {
        var other = AzuriteApp.UniqueTaskId();
        var otherQueued = await DispatchAsync(attempt: 1, other);
        _app.Durable.AddRemoteRole(other, _role, 1, DateTimeOffset.UtcNow, queued: otherQueued);
        var queued = await DispatchAsync(attempt: 1);
        _app.Durable.AddRemoteRole(_taskId, _role, 1, DateTimeOffset.UtcNow, queued: queued);

        var grant = await Leases.LeaseAsync(_role, "agent-1", NoCapabilities, _taskId, TimeSpan.Zero, TimeSpan.FromHours(2), default);

        Assert.NotNull(grant);
        Assert.Equal((_taskId, 1, 7200), (grant.TaskId, grant.Attempt, grant.LeaseSeconds));
        Assert.InRange(grant.LeaseExpiresAt, DateTimeOffset.UtcNow.AddMinutes(119), DateTimeOffset.UtcNow.AddMinutes(121));
        Assert.Equal(new RemoteLeaseEvent(1, grant.LeaseExpiresAt, "agent-1"), Assert.Single(_raised).Payload);
        Assert.Null(await Leases.LeaseAsync(_role, "agent-2", NoCapabilities, _taskId, TimeSpan.Zero, null, default)); // taken
        var next = await Leases.LeaseAsync(_role, "w-2", NoCapabilities, null, TimeSpan.Zero, null, default);
        Assert.Equal(other, next!.TaskId); // the other task's message was left in the queue
        var beat = await Leases.HeartbeatAsync(_role, grant.LeaseId, new HeartbeatRequest(), default);
        Assert.InRange(beat!.LeaseExpiresAt, DateTimeOffset.UtcNow.AddMinutes(119), DateTimeOffset.UtcNow.AddMinutes(121)); // by the lease's own length
        Assert.True(await Leases.CompleteAsync(_role, beat.LeaseId, AgentResult.Completed("# Done by hand"), default));
        Assert.Equal("# Done by hand", await _app.Artifacts.ReadTextAsync(ArtifactLayout.ResultMarkdown(_taskId, _role)));
    }

    [Fact]
    public async Task A_worker_naming_a_task_whose_attempt_is_not_waiting_gets_none_once_the_wait_is_over()
    {
        var queued = await DispatchAsync(attempt: 1);
        Assert.NotNull(await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, null, default)); // received: the receipt is stale
        _app.Durable.AddRemoteRole(_taskId, _role, 1, DateTimeOffset.UtcNow, queued: queued);

        Assert.Null(await Leases.LeaseAsync(_role, "agent-1", NoCapabilities, _taskId, TimeSpan.FromSeconds(1), null, default));
        Assert.Null(await Leases.LeaseAsync(_role, "agent-1", NoCapabilities, AzuriteApp.UniqueTaskId(), TimeSpan.Zero, null, default));
    }

    [Fact]
    public async Task An_attempt_taken_by_task_id_whose_lease_lapses_is_reported_as_an_expired_lease()
    {
        var queued = await DispatchAsync(attempt: 1);
        _app.Durable.AddRemoteRole(_taskId, _role, 1, DateTimeOffset.UtcNow, queued: queued);
        Assert.NotNull(await Leases.LeaseAsync(_role, "agent-1", NoCapabilities, _taskId, TimeSpan.Zero, TimeSpan.FromSeconds(1), default));
        _raised.Clear();

        // Taken by an update, the message was never dequeued: its first receipt after the lease is the expiry.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (_raised.Count == 0 && DateTimeOffset.UtcNow < deadline)
        {
            Assert.Null(await Leases.LeaseAsync(_role, "w-2", NoCapabilities, null, TimeSpan.Zero, null, default));
            await Task.Delay(200);
        }

        var failure = Assert.IsType<RemoteAttemptResult>(Assert.Single(_raised).Payload);
        Assert.Equal((false, FailureKind.Transient), (failure.Succeeded, failure.Kind));
        Assert.Contains("lease expired", failure.Error, StringComparison.Ordinal);
        Assert.Equal(0, await DepthAsync());
    }

    [Fact]
    public async Task A_superseded_attempt_is_dropped_instead_of_leased()
    {
        await DispatchAsync(attempt: 1);
        _app.Durable.AddRemoteRole(_taskId, _role, attempt: 2, DateTimeOffset.UtcNow);

        Assert.Null(await Leases.LeaseAsync(_role, null, NoCapabilities, null, TimeSpan.Zero, null, default));

        Assert.Empty(_raised);
        Assert.Equal(0, await DepthAsync());
    }

    [Fact]
    public async Task A_message_that_is_not_work_of_this_role_is_deleted()
    {
        await Queue.SendMessageAsync("not a work message");

        Assert.Null(await Leases.LeaseAsync(_role, null, NoCapabilities, null, TimeSpan.Zero, null, default));

        Assert.Equal(0, await DepthAsync());
    }

    [Fact]
    public async Task Whether_an_attempt_is_current_is_read_from_custom_status_without_fetching_inputs()
    {
        _app.Durable.AddRemoteRole(_taskId, _role + "-2", 1, DateTimeOffset.UtcNow, OrchestrationRuntimeStatus.Completed); // shares the prefix
        await DispatchAsync(attempt: 1);

        Assert.NotNull(await Leases.LeaseAsync(_role, "w-7", NoCapabilities, null, TimeSpan.Zero, null, default));

        Assert.NotEmpty(_app.Durable.Queries);
        Assert.All(_app.Durable.Queries, q => Assert.False(q?.FetchInputsAndOutputs));
        Assert.All(_app.Durable.Queries, q => Assert.Equal(InstanceId, q?.InstanceIdPrefix));
        _app.Durable.Client.Verify(c => c.GetInstancesAsync(It.IsAny<string>(), true, It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_lease_whose_message_is_gone_answers_410_through_the_trigger()
    {
        await DispatchAsync(attempt: 1);
        var grant = await Leases.LeaseAsync(_role, "w-1", NoCapabilities, null, TimeSpan.Zero, null, default);
        Assert.True(LeaseToken.TryDecode(grant!.LeaseId, out var messageId, out var popReceipt));
        await Queue.DeleteMessageAsync(messageId, popReceipt);
        var request = HttpCall.Request("POST", $"/api/workers/{_role}/leases/{grant.LeaseId}/heartbeat", "{}");

        var answer = await HttpCall.RunAsync(request, await _app.Create<WorkerHttpFunctions>().HeartbeatAsync(request, _role, grant.LeaseId, _app.Durable.Client.Object, default));

        Assert.Equal(410, answer.Status);
    }

    [Fact]
    public async Task An_unknown_lease_id_is_gone()
    {
        Assert.Null(await Leases.HeartbeatAsync(_role, LeaseToken.Encode("m-404", "pop"), new HeartbeatRequest(), default));
        Assert.False(await Leases.FailAsync(_role, "not-a-token", new FailRequest(), default));
    }

    /// <summary>Dispatches the attempt as the sub-orchestration does: the envelope to blobs, the message to the role's queue.</summary>
    /// <returns>The send receipt the activity returns (what the sub-orchestration puts in its status).</returns>
    private async Task<string> DispatchAsync(int attempt, string? taskId = null)
    {
        taskId ??= _taskId;
        _app.Durable.AddRemoteRole(taskId, _role, attempt, DateTimeOffset.UtcNow);
        var input = new AgentAttempt { TaskId = taskId, Role = _role, Attempt = attempt, MaxAttempts = 3, Type = "task", Instructions = "Do the work.", Prompt = string.Empty };
        var dispatch = await _app.Create<AgentActivities>().DispatchRemoteAttemptAsync(
            new RemoteWorkItem(taskId, _role, attempt, OrchestrationNames.RemoteInstanceId(taskId, _role), 30, input), Mock.Of<FunctionContext>());
        return dispatch.Queued!;
    }

    /// <summary>Messages on the queue, visible or leased (the service's approximate count, exact on an idle queue).</summary>
    private async Task<int> DepthAsync() => (await Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    private static string MessageId(string leaseId) => LeaseToken.TryDecode(leaseId, out var messageId, out _) ? messageId : string.Empty;
}
