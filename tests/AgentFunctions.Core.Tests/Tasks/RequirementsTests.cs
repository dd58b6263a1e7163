using System.Text.Json;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Tests.Workflow;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Tests.Tasks;

/// <summary><c>requires</c> on a task and on a stage: read, checked at the door, combined per stage, shown while a role waits.</summary>
public class RequirementsTests
{
    private static readonly TaskSpecValidator Validator = new(
        new RoleCatalog([new RoleDefinition { Name = "impl", Runner = RunnerKind.Remote }, new RoleDefinition { Name = "review", Runner = RunnerKind.Echo }]),
        new TaskLimits());

    [Fact]
    public void A_task_and_its_stages_carry_requirements_each_stage_needing_both()
    {
        var result = Validate("""{ "stages": [["impl"], { "roles": ["review"], "requires": ["gpu"] }], "requires": ["database"], "instructions": "x" }""");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var spec = result.Spec!;
        Assert.Equal(["database"], spec.Requires);
        Assert.Equal(["impl"], spec.Stages![0]);
        Assert.Equal(["review"], spec.Stages[1]);
        Assert.Equal(["database"], spec.RequirementsOf(0));
        Assert.Equal(["database", "gpu"], spec.RequirementsOf(1));
    }

    [Fact]
    public void A_spec_without_requirements_keeps_its_fingerprint()
    {
        var spec = new TaskSpec { Id = "t1", To = ["impl"], Instructions = "x" };

        var json = JsonSerializer.Serialize(spec, Json.CoreJson.Options);

        Assert.DoesNotContain("\"requires\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("stageRequires", json, StringComparison.Ordinal);
        Assert.Empty(spec.RequirementsOf(0));
    }

    [Theory]
    [InlineData("""{ "to": ["impl"], "requires": ["Database"], "instructions": "x" }""", "requires[0]: 'Database' is not a valid capability name (^[a-z][a-z0-9-]{0,39}$)")]
    [InlineData("""{ "to": ["impl"], "requires": ["gpu", "gpu"], "instructions": "x" }""", "requires[1]: capability 'gpu' appears more than once")]
    [InlineData("""{ "to": ["impl"], "requires": "gpu", "instructions": "x" }""", "requires: must be an array of capability names such as [\"database\", \"gpu\"]")]
    [InlineData("""{ "to": ["impl"], "requires": [1], "instructions": "x" }""", "requires[0]: must be a capability name (string)")]
    [InlineData("""{ "to": ["impl"], "requires": ["a","b","c","d","e","f","g","h","i"], "instructions": "x" }""", "requires: names 9 capabilities; at most 8 are allowed")]
    [InlineData("""{ "stages": [{ "requires": ["gpu"] }], "instructions": "x" }""", "stages[0]: must name at least one role")]
    [InlineData("""{ "stages": [{ "roles": ["impl"], "requires": ["a","b","c","d","e"] }], "requires": ["f","g","h","i"], "instructions": "x" }""", "stages[0].requires: with the task's requires, the stage needs 9 capabilities; at most 8 are allowed")]
    public void Bad_requirements_are_refused_with_a_clear_message(string json, string expected)
    {
        var result = Validate(json);

        Assert.False(result.IsValid);
        Assert.Equal(expected, Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void A_waiting_role_says_which_worker_it_waits_for()
    {
        var spec = new TaskSpec { Id = "t1", To = ["impl"], Instructions = "x", Requires = ["database", "gpu"] };
        var state = WorkflowDecider.Start(Plans.Build(spec), Plans.T0).State;

        var role = TaskViewProjector.ToView(state).Roles[0];

        Assert.Equal(["database", "gpu"], role.Requires);
        Assert.Equal("waiting for a worker with: database, gpu", role.WaitReason);
        var json = JsonSerializer.Serialize(TaskViewProjector.ToView(state), Json.CoreJson.Options);
        Assert.Contains("\"waitReason\":\"waiting for a worker with: database, gpu\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_running_or_settled_role_shows_no_wait()
    {
        var spec = new TaskSpec { Id = "t1", To = ["impl"], Instructions = "x", Requires = ["database"] };
        var run = DeciderRun.Start(Plans.Build(spec));

        run.Apply(new Core.Workflow.Events.RoleAttemptStarted("impl", 1, "w-1"));

        Assert.Null(TaskViewProjector.ToView(run.State).Roles[0].WaitReason);
        Assert.Equal(["database"], TaskViewProjector.ToView(run.State).Roles[0].Requires);
    }

    private static SpecValidationResult Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Validator.Validate(document.RootElement);
    }
}
