using System.Net;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Durable.Tests.Support;
using Microsoft.DurableTask.Client;
using static AgentFunctions.Durable.Tests.Support.ScenarioRoles;

namespace AgentFunctions.Durable.Tests.Scenarios;

/// <summary>Approvals before a run and of a result, decided or timed out, on the in-memory backend.</summary>
public sealed class ApprovalScenarios(InMemoryEngine engine) : IClassFixture<InMemoryEngine>, IDisposable
{
    private readonly EngineApi _api = new(engine.Host);

    [Fact]
    public async Task Rejecting_the_pre_run_approval_ends_the_task_rejected_without_running_a_role()
    {
        var id = EngineApi.NewId("reject");
        await _api.SubmitAsync(new { id, to = new[] { Flaky }, instructions = "Migrate the database.", requiresApproval = true });
        await _api.WaitForCustomStatusAsync(id, AgentTaskStatus.AwaitingApproval);

        using (var reject = await _api.PostAsync($"api/tasks/{id}/reject", new { by = "ana", note = "not now" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, reject.StatusCode);
        }

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Rejected);
        Assert.Equal(("ana", RoleStatus.Skipped), (view.Outcome?.By, view.Roles.Single().State));
        var decision = Assert.Single(view.Approval!.Decisions);
        Assert.Equal((ApprovalDecision.Reject, "not now"), (decision.Decision, decision.Note));
        Assert.Empty(engine.Roles.Calls(id, Flaky));

        var instance = await _api.InstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Equal(AgentTaskStatus.Rejected, EngineApi.CustomStatus(instance).State);
        Assert.Equal(AgentTaskStatus.Rejected, (await _api.ArtifactJsonAsync<TaskResultDocument>(ArtifactLayout.TaskResult(id))).State);
    }

    [Fact]
    public async Task A_result_that_needs_approval_waits_for_the_decision()
    {
        var id = EngineApi.NewId("held");
        await _api.SubmitAsync(new { id, to = new[] { Held }, instructions = "Draft the release notes." });

        var waiting = await _api.WaitForStateAsync(id, AgentTaskStatus.NeedsApproval);
        Assert.Equal((RoleStatus.NeedsApproval, "please check attempt 1"), (waiting.Roles.Single().State, waiting.Roles.Single().Summary));
        Assert.True(await _api.Artifacts.ExistsAsync(ArtifactLayout.ResultJson(id, Held), CancellationToken.None));

        using (var approve = await _api.PostAsync($"api/tasks/{id}/approve", new { by = "lead", role = Held }))
        {
            Assert.Equal(HttpStatusCode.Accepted, approve.StatusCode);
        }

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal(RoleStatus.Succeeded, view.Roles.Single().State);
        var instance = await _api.InstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(RoleStatus.Succeeded, EngineApi.Output(instance).Roles.Single().State);
    }

    [Fact]
    public async Task Rejecting_a_held_result_ends_the_task_rejected()
    {
        var id = EngineApi.NewId("heldno");
        await _api.SubmitAsync(new { id, to = new[] { Held }, instructions = "Draft the release notes." });
        await _api.WaitForStateAsync(id, AgentTaskStatus.NeedsApproval);

        using (var reject = await _api.PostAsync($"api/tasks/{id}/reject", new { by = "lead", note = "wrong file", role = Held }))
        {
            Assert.Equal(HttpStatusCode.Accepted, reject.StatusCode);
        }

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Rejected);
        Assert.Equal(RoleStatus.Rejected, view.Roles.Single().State);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await _api.InstanceAsync(id)).RuntimeStatus);
    }

    [Fact]
    public async Task An_approval_that_times_out_expires_the_task()
    {
        var id = EngineApi.NewId("timeout");
        await _api.SubmitAsync(new { id, to = new[] { Gate }, instructions = "Deploy.", approvalTimeoutSeconds = 1 });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Expired);
        Assert.StartsWith("no approval decision for role 'gate'", view.Outcome?.Reason, StringComparison.Ordinal);
        Assert.True(view.Outcome!.At - view.CreatedAt >= TimeSpan.FromSeconds(1), "the approval expired before its timeout");
        Assert.Equal(0, view.Roles.Single().Attempt);

        var instance = await _api.InstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Equal(AgentTaskStatus.Expired, (await _api.ArtifactJsonAsync<TaskResultDocument>(ArtifactLayout.TaskResult(id))).State);
    }

    public void Dispose() => _api.Dispose();
}
