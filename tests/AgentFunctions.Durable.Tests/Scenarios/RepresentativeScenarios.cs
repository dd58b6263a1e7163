using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Durable.Tests.Support;
using Microsoft.DurableTask.Client;
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

    public void Dispose() => _api.Dispose();
}
