using System.Net;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Durable.Tests.Support;
using AgentFunctions.Orchestration;
using Microsoft.DurableTask.Client;
using static AgentFunctions.Durable.Tests.Support.ScenarioRoles;

namespace AgentFunctions.Durable.Tests.Scenarios;

/// <summary>Cancel during a retry wait, TTL, idempotent submit, mixed failures and the custom status limit, on the in-memory backend.</summary>
public sealed class LifecycleScenarios(InMemoryEngine engine) : IClassFixture<InMemoryEngine>, IDisposable
{
    private readonly EngineApi _api = new(engine.Host);

    [Fact]
    public async Task Cancel_during_a_retry_wait_ends_the_task_canceled_without_another_attempt()
    {
        var id = EngineApi.NewId("cwait");
        await _api.SubmitAsync(new { id, to = new[] { Patient }, instructions = "Keep trying." });
        var retrying = await _api.WaitForRoleAsync(id, Patient, RoleStatus.Retrying);
        Assert.Equal(1, retrying.Roles.Single().Attempt);
        Assert.True(retrying.Roles.Single().NextAttemptAt > DateTimeOffset.UtcNow.AddSeconds(30));

        using (var cancel = await _api.PostAsync($"api/tasks/{id}/cancel", new { by = "ana", reason = "no longer needed" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Canceled);
        Assert.Equal((RoleStatus.Canceled, 1), (view.Roles.Single().State, view.Roles.Single().Attempt));
        var instance = await _api.InstanceAsync(id); // it ends at once: no timer keeps it waiting
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Equal(AgentTaskStatus.Canceled, EngineApi.CustomStatus(instance).State);
        Assert.Single(engine.Roles.Calls(id, Patient));
    }

    [Fact]
    public async Task Reaching_the_ttl_first_expires_the_task()
    {
        var id = EngineApi.NewId("ttl");
        await _api.SubmitAsync(new { id, to = new[] { Patient }, instructions = "Keep trying.", ttlSeconds = 2 });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Expired);
        Assert.Equal("the task deadline (ttlSeconds) passed", view.Outcome?.Reason);
        Assert.True(view.Outcome!.At >= view.DeadlineAt, "the task expired before its deadline");
        Assert.Equal(RoleStatus.Canceled, view.Roles.Single().State);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await _api.InstanceAsync(id)).RuntimeStatus);
        Assert.Equal(AgentTaskStatus.Expired, (await _api.ArtifactJsonAsync<TaskResultDocument>(ArtifactLayout.TaskResult(id))).State);
    }

    [Fact]
    public async Task Resubmitting_the_same_spec_returns_the_task_and_a_different_spec_conflicts()
    {
        var id = EngineApi.NewId("idem");
        var spec = new { id, to = new[] { Impl }, instructions = "Once only.", context = "ctx" };
        await _api.SubmitAsync(spec);
        await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);

        using (var same = await _api.PostAsync("api/tasks", spec))
        {
            Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        }

        using (var different = await _api.PostAsync("api/tasks", spec with { context = "other" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
            Assert.Equal("application/problem+json", different.Content.Headers.ContentType?.MediaType);
        }

        var instance = await _api.InstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(1, EngineApi.Output(instance).Roles.Single().Attempts);
    }

    [Fact]
    public async Task Transient_transient_permanent_dead_letters_with_three_attempts_and_every_failure_in_order()
    {
        var id = EngineApi.NewId("mixed");
        await _api.SubmitAsync(new { id, to = new[] { Mixed }, instructions = "Try hard." });

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Failed);
        Assert.Equal((RoleStatus.DeadLettered, 3), (view.Roles.Single().State, view.Roles.Single().Attempt));
        await _api.InstanceAsync(id);

        var record = await _api.DeadLetterAsync($"{id}~{Mixed}");
        Assert.Equal(3, record.Attempts);
        Assert.Equal(
            [(1, FailureKind.Transient), (2, FailureKind.Transient), (3, FailureKind.Permanent)],
            record.Failures.Select(f => (f.Attempt, f.Kind)));
        Assert.Contains("connection reset (call 1)", record.Failures[0].Message, StringComparison.Ordinal);
        Assert.Contains("the agent refused", record.Failures[2].Message, StringComparison.Ordinal);
        Assert.StartsWith("permanent failure on attempt 3", record.Reason, StringComparison.Ordinal);
        Assert.Equal([(1, 1), (2, 2), (3, 3)], engine.Roles.Calls(id, Mixed));
    }

    [Fact]
    public async Task Custom_status_is_the_compact_task_view_and_stays_within_the_size_limit()
    {
        var id = EngineApi.NewId("loud");
        await _api.SubmitAsync(new { id, to = LoudRoles, instructions = "Say a lot." });
        await _api.WaitForStateAsync(id, AgentTaskStatus.Completed, TimeSpan.FromSeconds(120));

        var instance = await _api.InstanceAsync(id);
        var status = instance.SerializedCustomStatus!;
        Assert.True(CustomStatusView.Fits(status), $"the custom status takes {Encoding.Unicode.GetByteCount(status)} bytes of UTF-16");
        using var json = JsonDocument.Parse(status);
        var root = json.RootElement;
        Assert.Equal("completed", root.GetProperty("state").GetString());
        Assert.True(root.GetProperty("truncated").GetBoolean());
        Assert.False(root.TryGetProperty("deadlineAt", out _)); // null members are left out
        var roles = root.GetProperty("roles").EnumerateArray().ToList();
        Assert.Equal(16, roles.Count);
        Assert.All(roles, role =>
        {
            Assert.Equal("succeeded", role.GetProperty("state").GetString());
            Assert.Equal(1, role.GetProperty("attempt").GetInt32());
            Assert.StartsWith($"tasks/{id}/results/loud-", role.GetProperty("resultRef").GetString(), StringComparison.Ordinal);
        });

        // What the view left out stays in the stored results.
        var stored = await _api.ArtifactJsonAsync<JsonElement>(ArtifactLayout.ResultJson(id, LoudRoles[0]));
        Assert.Equal(490, stored.GetProperty("summary").GetString()!.Length);
    }

    public void Dispose() => _api.Dispose();
}
