using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Durable.Tests.Support;
using AgentFunctions.Orchestration;
using Microsoft.DurableTask.Client;
using Xunit.Abstractions;
using static AgentFunctions.Durable.Tests.Support.ScenarioRoles;

namespace AgentFunctions.Durable.Tests.Scenarios;

/// <summary>
/// A remote role's attempts through its sub-orchestration and the worker API, on the in-memory backend: failures
/// and retries, lease expiry, long attempts with many heartbeats (continue-as-new), and events that arrive while
/// an episode continues as new.
/// </summary>
public sealed class RemoteRoleScenarios(InMemoryEngine engine, ITestOutputHelper output) : IClassFixture<InMemoryEngine>, IDisposable
{
    private readonly EngineApi _api = new(engine.Host);

    [Fact]
    public async Task A_failed_remote_attempt_is_retried_and_the_next_attempt_can_complete()
    {
        var id = EngineApi.NewId("rfail");
        await _api.SubmitAsync(new { id, to = new[] { Worker }, instructions = "Train." });

        var first = await _api.LeaseAsync(Worker, id);
        await _api.FailAsync(Worker, first.LeaseId, "GPU out of memory");
        var retrying = await _api.WaitForRoleAsync(id, Worker, RoleStatus.Retrying);
        Assert.Equal((1, "GPU out of memory"), (retrying.Roles.Single().Attempt, retrying.Roles.Single().LastError));
        Assert.NotNull(retrying.Roles.Single().NextAttemptAt);

        var second = await _api.LeaseAsync(Worker, id);
        Assert.Equal(2, second.Attempt);
        Assert.Contains("(attempt 2 of 2)", second.Prompt, StringComparison.Ordinal);
        var running = await _api.WaitForRoleAsync(id, Worker, RoleStatus.Running);
        Assert.Equal(2, running.Roles.Single().Attempt);
        await _api.CompleteAsync(Worker, second.LeaseId, new { status = "completed", summary = "trained on the second try" });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal((RoleStatus.Succeeded, 2, "trained on the second try"), (view.Roles.Single().State, view.Roles.Single().Attempt, view.Roles.Single().Summary));
        var stored = await _api.ArtifactJsonAsync<System.Text.Json.JsonElement>(ArtifactLayout.ResultJson(id, Worker));
        Assert.Equal(2, stored.GetProperty("attempt").GetInt32());
        var instance = await _api.InstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(2, EngineApi.Output(instance).Roles.Single().Attempts);
    }

    [Fact]
    public async Task A_remote_role_that_fails_after_its_cap_is_dead_lettered_with_every_failure()
    {
        var id = EngineApi.NewId("rcap");
        await _api.SubmitAsync(new { id, to = new[] { Worker }, instructions = "Train." });

        await _api.FailAsync(Worker, (await _api.LeaseAsync(Worker, id)).LeaseId, "crashed");
        await _api.FailAsync(Worker, (await _api.LeaseAsync(Worker, id)).LeaseId, "crashed again");

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Failed);
        Assert.Equal((RoleStatus.DeadLettered, 2), (view.Roles.Single().State, view.Roles.Single().Attempt));
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await _api.InstanceAsync(id)).RuntimeStatus);
        var record = await _api.DeadLetterAsync($"{id}~{Worker}");
        Assert.Equal(2, record.Attempts);
        Assert.Equal([(1, "crashed"), (2, "crashed again")], record.Failures.Select(f => (f.Attempt, f.Message)));
        Assert.StartsWith("gave up after 2 attempts", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lease_that_expires_without_a_heartbeat_fails_the_attempt_and_the_next_one_runs()
    {
        var id = EngineApi.NewId("rexp");
        await _api.SubmitAsync(new { id, to = new[] { Worker }, instructions = "Train." });
        var first = await _api.LeaseAsync(Worker, id);
        Assert.Equal(1, first.Attempt);

        // Nothing more from that worker: once its lease (and the grace after it) is over, attempt 2 is offered.
        var second = await _api.LeaseAsync(Worker, id, waitSeconds: 25);
        Assert.Equal(2, second.Attempt);
        var view = await _api.ViewAsync(id);
        Assert.StartsWith("lease expired", view.Roles.Single().LastError, StringComparison.Ordinal);
        await _api.CompleteAsync(Worker, second.LeaseId, new { status = "completed", summary = "done" });

        var done = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal(2, done.Roles.Single().Attempt);
    }

    [Fact]
    public async Task A_remote_attempt_with_a_hundred_heartbeats_completes_and_its_history_stays_bounded()
    {
        var id = EngineApi.NewId("rlong");
        await _api.SubmitAsync(new { id, to = new[] { Worker }, instructions = "Train for long." });
        var lease = await _api.LeaseAsync(Worker, id);
        var leaseId = lease.LeaseId;
        for (var beat = 1; beat <= 100; beat++)
        {
            var answer = await _api.HeartbeatAsync(Worker, leaseId, progress: beat / 100.0, message: $"step {beat}");
            Assert.False(answer.Canceled);
            leaseId = answer.LeaseId;
        }

        await _api.WaitForAsync(id, v => v.Roles.Single().Progress == 1.0, "progress 1.0");
        await _api.CompleteAsync(Worker, leaseId, new { status = "completed", summary = "converged" });
        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal((RoleStatus.Succeeded, 1, "converged"), (view.Roles.Single().State, view.Roles.Single().Attempt, view.Roles.Single().Summary));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _api.InstanceAsync($"{id}:{Worker}")).RuntimeStatus);

        // 101 lease events: the sub-orchestration continued as new every 25, so no step replayed them all.
        var remote = engine.Host.History.Of($"{id}:{Worker}");
        var task = engine.Host.History.Of(id);
        output.WriteLine($"remote role: {remote}; task: {task}");
        Assert.True(remote.Executions >= 101 / RemoteRoleOrchestrator.LeaseEventsPerEpisode, $"the sub-orchestration continued as new too rarely: {remote}");
        Assert.True(remote.LongestEpisode < RemoteRoleOrchestrator.LeaseEventsPerEpisode * 8, $"one episode replayed {remote.LongestEpisode} history events");
    }

    [Fact]
    public async Task A_cancel_that_arrives_as_the_attempt_continues_as_new_is_not_lost()
    {
        var id = EngineApi.NewId("rcan");
        await _api.SubmitAsync(new { id, to = new[] { Worker }, instructions = "Train." });
        var leaseId = await HeartbeatUpToContinueAsNewAsync(id);

        // The 25th lease event ends the episode; the cancel from the task arrives with it.
        await Task.WhenAll(
            _api.HeartbeatAsync(Worker, leaseId),
            CancelAsync(id));

        await _api.WaitForStateAsync(id, AgentTaskStatus.Canceled);
        var remote = await _api.InstanceAsync($"{id}:{Worker}");
        Assert.Equal(OrchestrationRuntimeStatus.Completed, remote.RuntimeStatus);
        Assert.Contains("\"canceled\"", remote.SerializedOutput, StringComparison.Ordinal);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await _api.InstanceAsync(id)).RuntimeStatus);
    }

    [Fact]
    public async Task A_result_that_arrives_as_the_attempt_continues_as_new_is_not_lost()
    {
        var id = EngineApi.NewId("rres");
        await _api.SubmitAsync(new { id, to = new[] { Worker }, instructions = "Train." });
        var leaseId = await HeartbeatUpToContinueAsNewAsync(id);

        var beat = await _api.HeartbeatAsync(Worker, leaseId);
        await _api.CompleteAsync(Worker, beat.LeaseId, new { status = "completed", summary = "just in time" });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal("just in time", view.Roles.Single().Summary);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _api.InstanceAsync($"{id}:{Worker}")).RuntimeStatus);
        Assert.True(engine.Host.History.Of($"{id}:{Worker}").Executions >= 2, "the episode did not continue as new");
    }

    [Fact]
    public async Task Canceling_a_task_tells_its_worker_on_the_next_heartbeat()
    {
        var id = EngineApi.NewId("rstop");
        await _api.SubmitAsync(new { id, to = new[] { Worker }, instructions = "Train." });
        var lease = await _api.LeaseAsync(Worker, id);

        await CancelAsync(id);
        await _api.WaitForStateAsync(id, AgentTaskStatus.Canceled);
        await _api.InstanceAsync($"{id}:{Worker}");

        var beat = await _api.HeartbeatAsync(Worker, lease.LeaseId, progress: 0.9);
        Assert.True(beat.Canceled);
        Assert.Equal(RoleStatus.Canceled, (await _api.ViewAsync(id)).Roles.Single().State);
    }

    public void Dispose() => _api.Dispose();

    /// <summary>Leases the attempt and heartbeats until the next lease event is the episode's last; returns the lease id.</summary>
    private async Task<string> HeartbeatUpToContinueAsNewAsync(string id)
    {
        var lease = await _api.LeaseAsync(Worker, id);
        Assert.Equal(id, lease.TaskId);
        var leaseId = lease.LeaseId;
        for (var events = 1; events < RemoteRoleOrchestrator.LeaseEventsPerEpisode - 1; events++)
        {
            leaseId = (await _api.HeartbeatAsync(Worker, leaseId)).LeaseId;
        }

        return leaseId;
    }

    private async Task CancelAsync(string id)
    {
        using var cancel = await _api.PostAsync($"api/tasks/{id}/cancel", new { by = "ana", reason = "stop" });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, cancel.StatusCode);
    }
}
