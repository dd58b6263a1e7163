using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Durable.Tests.Support;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using static AgentFunctions.Durable.Tests.Support.ScenarioRoles;

namespace AgentFunctions.Durable.Tests.Scenarios;

/// <summary>
/// The scenarios that run on both Durable backends (in-memory and Azure Storage over Azurite): the app's own
/// orchestrators and activities, driven through the HTTP API, checked against the task view, the orchestration's
/// Durable status and what was written to Blob storage.
/// </summary>
public abstract class RepresentativeScenarios : IDisposable
{
    private readonly EngineFixture _engine;
    private readonly EngineApi _api;

    protected RepresentativeScenarios(EngineFixture engine)
    {
        _engine = engine;
        _api = new EngineApi(engine.Host);
    }

    [Fact]
    public async Task Fan_out_runs_every_role_and_the_task_completes_with_each_result_stored()
    {
        var id = EngineApi.NewId("fan");
        await _api.SubmitAsync(new { id, to = new[] { Impl, Review, Docs }, instructions = "Add a health endpoint.", context = "# Notes\nminimal API" });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal([Impl, Review, Docs], view.Roles.Select(r => r.Role));
        Assert.All(view.Roles, role =>
        {
            Assert.Equal((RoleStatus.Succeeded, 1), (role.State, role.Attempt));
            Assert.Equal(ArtifactLayout.ResultMarkdown(id, role.Role), role.ResultRef);
        });

        var instance = await _api.InstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(AgentTaskStatus.Completed, EngineApi.CustomStatus(instance).State);
        var output = EngineApi.Output(instance);
        Assert.Equal(AgentTaskStatus.Completed, output.State);
        Assert.Equal(3, output.Roles.Count);

        Assert.Contains("# Echo from review (attempt 1)", await _api.ArtifactAsync(ArtifactLayout.ResultMarkdown(id, Review)), StringComparison.Ordinal);
        Assert.Contains("minimal API", await _api.ArtifactAsync(ArtifactLayout.ResultMarkdown(id, Impl)), StringComparison.Ordinal);
        Assert.Equal("# Notes\nminimal API", await _api.ArtifactAsync(ArtifactLayout.Context(id)));
        Assert.Equal(AgentTaskStatus.Completed, (await _api.ArtifactJsonAsync<TaskResultDocument>(ArtifactLayout.TaskResult(id))).State);
    }

    [Fact]
    public async Task A_task_history_is_read_from_its_durable_history_attempt_by_attempt()
    {
        var id = EngineApi.NewId("hist");
        await _api.SubmitAsync(new { id, from = "lead", to = new[] { Flaky }, instructions = "Call the flaky model." });
        await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);

        var page = await _api.GetJsonAsync($"api/tasks/{id}/history");
        var events = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            ["submitted", "attempt_started", "attempt_ended", "attempt_started", "attempt_ended", "attempt_started", "attempt_ended", "outcome"],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1, 1, 2, 2, 3, 3], events.Skip(1).Take(6).Select(e => e.GetProperty("attempt").GetInt32()));
        Assert.Equal(["transient", "transient", "succeeded"], events.Where(e => e.GetProperty("type").GetString() == "attempt_ended").Select(e => e.GetProperty("kind").GetString()));
        Assert.Contains("503 from the model", events[2].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(("lead", "completed"), (events[0].GetProperty("actor").GetString(), events[^1].GetProperty("state").GetString()));

        // The task reads completed from the orchestration's last custom status, a moment before the runtime records
        // the orchestration's own end.
        await _api.InstanceAsync(id);
        var status = await _api.GetJsonAsync($"runtime/webhooks/durabletask/instances/{id}?showHistory=true");
        var durable = status.GetProperty("historyEvents").EnumerateArray().ToList();
        Assert.Equal("ExecutionStarted", durable[0].GetProperty("EventType").GetString());
        Assert.Equal(3, durable.Count(e => e.GetProperty("EventType").GetString() == "TaskCompleted" && e.GetProperty("FunctionName").GetString() == "RunRoleAttempt"));
        Assert.Equal(("ExecutionCompleted", "Completed"), (durable[^1].GetProperty("EventType").GetString(), durable[^1].GetProperty("OrchestrationStatus").GetString()));
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_the_runner_is_told_each_attempt_number()
    {
        var id = EngineApi.NewId("retry");
        await _api.SubmitAsync(new { id, to = new[] { Flaky }, instructions = "Call the flaky model." });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        var role = view.Roles.Single();
        Assert.Equal((RoleStatus.Succeeded, 3), (role.State, role.Attempt));
        Assert.Equal("flaky done on attempt 3", role.Summary);

        // The runner's environment and its prompt both name the attempt that is running.
        Assert.Equal([(1, 1), (2, 2), (3, 3)], _engine.Roles.Calls(id, Flaky));
        using var stored = System.Text.Json.JsonDocument.Parse(await _api.ArtifactAsync(ArtifactLayout.ResultJson(id, Flaky)));
        Assert.Equal(3, stored.RootElement.GetProperty("attempt").GetInt32());
        Assert.Equal("ran as attempt 3", await _api.ArtifactAsync(ArtifactLayout.ResultMarkdown(id, Flaky)));

        var instance = await _api.InstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(3, EngineApi.Output(instance).Roles.Single().Attempts);
    }

    [Fact]
    public async Task Stages_run_in_order_and_a_later_stage_receives_the_earlier_results()
    {
        var id = EngineApi.NewId("stages");
        await _api.SubmitAsync(new { id, stages = new[] { new[] { Impl }, new[] { Review, Docs } }, instructions = "Implement, then review." });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal([0, 1, 1], view.Roles.Select(r => r.Stage));
        var implFinished = view.Roles.Single(r => r.Role == Impl).FinishedAt;
        Assert.All(view.Roles.Where(r => r.Stage == 1), r => Assert.True(r.StartedAt >= implFinished, $"{r.Role} started before impl finished"));

        // The echo runner answers with its prompt: the review prompt names the implementation's stored result.
        var review = await _api.ArtifactAsync(ArtifactLayout.ResultMarkdown(id, Review));
        Assert.Contains(ArtifactLayout.ResultMarkdown(id, Impl), review, StringComparison.Ordinal);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _api.InstanceAsync(id)).RuntimeStatus);
    }

    [Fact]
    public async Task Transient_failures_up_to_the_cap_dead_letter_the_role_with_every_attempt()
    {
        var id = EngineApi.NewId("cap");
        await _api.SubmitAsync(new { id, to = new[] { Broken }, instructions = "Call the broken model." });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Failed);
        var role = view.Roles.Single();
        Assert.Equal((RoleStatus.DeadLettered, 3, $"{id}~{Broken}"), (role.State, role.Attempt, role.DeadLetterId));
        Assert.Equal([(1, 1), (2, 2), (3, 3)], _engine.Roles.Calls(id, Broken));

        // The orchestration ends once its records are written.
        var instance = await _api.InstanceAsync(id);
        var record = await _api.DeadLetterAsync($"{id}~{Broken}");
        Assert.Equal((id, Broken, 3), (record.TaskId, record.Role, record.Attempts));
        Assert.Equal([1, 2, 3], record.Failures.Select(f => f.Attempt));
        Assert.All(record.Failures, f => Assert.Equal(FailureKind.Transient, f.Kind));
        Assert.Contains("503 service unavailable (call 3)", record.Failures[^1].Message, StringComparison.Ordinal);
        Assert.StartsWith("gave up after 3 attempts", record.Reason, StringComparison.Ordinal);

        // Each attempt waited at least its backoff (200 ms, then 400 ms) after the failure before it.
        Assert.True(record.Failures[1].At - record.Failures[0].At >= TimeSpan.FromMilliseconds(200), "attempt 2 ran before its backoff");
        Assert.True(record.Failures[2].At - record.Failures[1].At >= TimeSpan.FromMilliseconds(400), "attempt 3 ran before its backoff");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Equal(AgentTaskStatus.Failed, EngineApi.CustomStatus(instance).State);
        Assert.Equal(AgentTaskStatus.Failed, (await _api.ArtifactJsonAsync<TaskResultDocument>(ArtifactLayout.TaskResult(id))).State);
    }

    [Fact]
    public async Task A_permanent_failure_is_dead_lettered_at_once()
    {
        var id = EngineApi.NewId("perm");
        await _api.SubmitAsync(new { id, to = new[] { Refuser }, instructions = "Send the malformed request." });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Failed);
        Assert.Equal((RoleStatus.DeadLettered, 1), (view.Roles.Single().State, view.Roles.Single().Attempt));
        Assert.Single(_engine.Roles.Calls(id, Refuser));
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await _api.InstanceAsync(id)).RuntimeStatus);

        var record = await _api.DeadLetterAsync($"{id}~{Refuser}");
        var failure = Assert.Single(record.Failures);
        Assert.Equal((1, FailureKind.Permanent), (failure.Attempt, failure.Kind));
        Assert.Contains("the request is malformed", failure.Message, StringComparison.Ordinal);
        Assert.StartsWith("permanent failure on attempt 1", record.Reason, StringComparison.Ordinal);
        Assert.Equal("Send the malformed request.", record.Spec?.Instructions);

        // The record is a blob in the dead-letter container.
        var container = _api.Host.Services.GetRequiredService<Azure.Storage.Blobs.BlobServiceClient>().GetBlobContainerClient(Hosting.StorageNames.DeadLetterContainer);
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, id, CancellationToken.None))
        {
            blobs.Add(blob.Name);
        }

        Assert.Single(blobs);
    }

    [Fact]
    public async Task A_role_that_requires_approval_waits_for_it_and_runs_once_approved()
    {
        var id = EngineApi.NewId("gate");
        await _api.SubmitAsync(new { id, to = new[] { Gate }, instructions = "Deploy." });

        var waiting = await _api.WaitForStateAsync(id, AgentTaskStatus.AwaitingApproval);
        Assert.Equal((RoleStatus.AwaitingApproval, 0), (waiting.Roles.Single().State, waiting.Roles.Single().Attempt));
        var instance = await _api.WaitForCustomStatusAsync(id, AgentTaskStatus.AwaitingApproval);
        Assert.Equal(OrchestrationRuntimeStatus.Running, instance.RuntimeStatus);

        using (var approve = await _api.PostAsync($"api/tasks/{id}/approve", new { by = "ana", note = "window open", role = Gate }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, approve.StatusCode);
        }

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal((RoleStatus.Succeeded, 1), (view.Roles.Single().State, view.Roles.Single().Attempt));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _api.InstanceAsync(id)).RuntimeStatus);
        Assert.Contains("# Echo from gate (attempt 1)", await _api.ArtifactAsync(ArtifactLayout.ResultMarkdown(id, Gate)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_mid_run_ends_the_task_canceled_and_keeps_the_late_result_as_discarded()
    {
        var id = EngineApi.NewId("cancel");
        await _api.SubmitAsync(new { id, to = new[] { Slow }, instructions = "Take your time." });
        await _api.WaitForRoleAsync(id, Slow, RoleStatus.Running);

        using (var cancel = await _api.PostAsync($"api/tasks/{id}/cancel", new { by = "ana", reason = "superseded" }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, cancel.StatusCode);
        }

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Canceled);
        Assert.Equal(RoleStatus.Canceled, view.Roles.Single().State);
        Assert.Equal(("superseded", "ana"), (view.Outcome?.Reason, view.Outcome?.By));
        var instance = await _api.InstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus); // the orchestrator ends every task but a completed one by failing
        Assert.Equal(AgentTaskStatus.Canceled, EngineApi.CustomStatus(instance).State);
        Assert.Equal(AgentTaskStatus.Canceled, (await _api.ArtifactJsonAsync<TaskResultDocument>(ArtifactLayout.TaskResult(id))).State);

        // The attempt still finishes; its result is kept apart and the task does not change.
        var discarded = ArtifactLayout.Discarded(id, Slow, 1, $"results_{Slow}.md");
        await Eventually.TrueAsync(async () => await _api.Artifacts.ExistsAsync(discarded, CancellationToken.None), $"the late result at {discarded}");
        Assert.Equal(AgentTaskStatus.Canceled, (await _api.ViewAsync(id)).State);
    }

    [Fact]
    public async Task A_remote_role_is_leased_heartbeated_with_progress_and_completed_by_a_worker()
    {
        var id = EngineApi.NewId("remote");
        await _api.SubmitAsync(new { id, to = new[] { Worker }, instructions = "Run on the GPU box." });

        var lease = await _api.LeaseAsync(Worker, id);
        Assert.Equal((id, Worker, 1), (lease.TaskId, lease.Role, lease.Attempt));
        Assert.Contains("(attempt 1 of 2)", lease.Prompt, StringComparison.Ordinal);

        var beat = await _api.HeartbeatAsync(Worker, lease.LeaseId, progress: 0.5, message: "halfway");
        Assert.False(beat.Canceled);
        var running = await _api.WaitForAsync(id, v => v.Roles.Single().Progress == 0.5, "progress 0.5");
        Assert.Equal(("halfway", RoleStatus.Running), (running.Roles.Single().ProgressMessage, running.Roles.Single().State));

        await _api.CompleteAsync(Worker, beat.LeaseId, new { status = "completed", summary = "trained", result = "# Model\nloss 0.1" });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal((RoleStatus.Succeeded, 1, "trained"), (view.Roles.Single().State, view.Roles.Single().Attempt, view.Roles.Single().Summary));
        Assert.Equal("# Model\nloss 0.1", await _api.ArtifactAsync(ArtifactLayout.ResultMarkdown(id, Worker)));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _api.InstanceAsync(id)).RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _api.InstanceAsync($"{id}:{Worker}")).RuntimeStatus);
    }

    [Fact]
    public async Task A_dead_lettered_role_is_replayed_as_a_new_task_linked_both_ways()
    {
        var id = EngineApi.NewId("replay");
        await _api.SubmitAsync(new { id, to = new[] { Fixable }, instructions = "Use the tool.", context = "tool notes" });
        await _api.WaitForStateAsync(id, AgentTaskStatus.Failed);
        await _api.InstanceAsync(id); // ended: its dead letter is written
        var deadLetterId = $"{id}~{Fixable}";
        Assert.Null((await _api.DeadLetterAsync(deadLetterId)).ReplayedAs);

        _engine.Roles.MarkFixed(id);
        using (var replay = await _api.PostAsync($"api/deadletters/{deadLetterId}/replay"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, replay.StatusCode);
        }

        var replayed = await _api.WaitForStateAsync($"{id}.r1", AgentTaskStatus.Completed);
        Assert.Equal(deadLetterId, replayed.ReplayOf);
        Assert.Equal(("fixed and done", 1), (replayed.Roles.Single().Summary, replayed.Roles.Single().Attempt));
        Assert.Equal("tool notes", await _api.ArtifactAsync(ArtifactLayout.Context($"{id}.r1")));

        var record = await _api.DeadLetterAsync(deadLetterId);
        Assert.Equal($"{id}.r1", record.ReplayedAs);
        Assert.NotNull(record.ReplayedAt);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _api.InstanceAsync($"{id}.r1")).RuntimeStatus);

        using var again = await _api.PostAsync($"api/deadletters/{deadLetterId}/replay");
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.StatusCode);
    }

    public void Dispose() => _api.Dispose();
}
