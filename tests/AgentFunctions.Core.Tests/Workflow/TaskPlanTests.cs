using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Tests.Workflow;

public class TaskPlanTests
{
    private static readonly RetrySchedule DeploySchedule = new()
    {
        MaxAttempts = 3,
        FirstDelay = TimeSpan.FromSeconds(5),
        BackoffCoefficient = 1.5,
        MaxDelay = TimeSpan.FromMinutes(1),
    };

    private static readonly RoleCatalog Catalog = new(
    [
        new RoleDefinition { Name = "implementation", Runner = RunnerKind.Echo },
        new RoleDefinition { Name = "deploy", Runner = RunnerKind.Echo, RequiresApproval = true, Retry = DeploySchedule },
    ]);

    private static readonly WorkflowOptions Workflow = new() { ApprovalTimeout = TimeSpan.FromHours(2) };

    [Fact]
    public void Roles_are_planned_in_stage_order_with_their_schedule_and_gate()
    {
        var plan = TaskPlan.Create(new TaskSpec { Id = "t1", Stages = [["implementation"], ["deploy"]], Instructions = "x" }, Catalog, Workflow);

        Assert.Equal("t1", plan.Id);
        Assert.Equal(
        [
            new RolePlan("implementation", RetrySchedule.Default, false),
            new RolePlan("deploy", DeploySchedule, true),
        ],
        plan.Roles);
    }

    [Fact]
    public void Task_retry_override_is_merged_into_every_role_schedule()
    {
        var spec = new TaskSpec
        {
            Id = "t1",
            To = ["implementation", "deploy"],
            Instructions = "x",
            Retry = new TaskRetryOverride { MaxAttempts = 2, FirstDelay = TimeSpan.FromSeconds(1) },
        };

        var plan = TaskPlan.Create(spec, Catalog, Workflow);

        Assert.Equal(RetrySchedule.Default with { MaxAttempts = 2, FirstDelay = TimeSpan.FromSeconds(1) }, plan.Roles[0].Schedule);
        Assert.Equal(DeploySchedule with { MaxAttempts = 2, FirstDelay = TimeSpan.FromSeconds(1) }, plan.Roles[1].Schedule);
    }

    [Fact]
    public void Approval_timeout_of_the_task_wins_over_the_host_default()
    {
        var own = TaskPlan.Create(new TaskSpec { Id = "t1", To = ["deploy"], Instructions = "x", ApprovalTimeoutSeconds = 600 }, Catalog, Workflow);
        var host = TaskPlan.Create(new TaskSpec { Id = "t2", To = ["deploy"], Instructions = "x" }, Catalog, Workflow);

        Assert.Equal(TimeSpan.FromMinutes(10), own.ApprovalTimeout);
        Assert.Equal(TimeSpan.FromHours(2), host.ApprovalTimeout);
        Assert.Equal(TimeSpan.FromHours(24), new WorkflowOptions().ApprovalTimeout);
    }

    [Fact]
    public void Role_gate_from_configuration_holds_the_role_when_the_task_starts()
    {
        var plan = TaskPlan.Create(new TaskSpec { Id = "t1", To = ["deploy"], Instructions = "x", ApprovalTimeoutSeconds = 600 }, Catalog, Workflow);

        var state = WorkflowDecider.Start(plan, Plans.T0).State;

        Assert.Equal(RoleStatus.AwaitingApproval, state.FindRole("deploy")!.Status);
        Assert.Equal(Plans.T0.AddMinutes(10), state.FindRole("deploy")!.Approval!.DeadlineAt);
    }

    [Fact]
    public void Spec_without_an_id_or_with_an_unknown_role_cannot_be_planned()
    {
        var noId = Assert.Throws<ArgumentException>(() => TaskPlan.Create(new TaskSpec { To = ["deploy"], Instructions = "x" }, Catalog, Workflow));
        var unknown = Assert.Throws<ArgumentException>(() => TaskPlan.Create(new TaskSpec { Id = "t1", To = ["ghost"], Instructions = "x" }, Catalog, Workflow));

        Assert.StartsWith("The spec must carry its task id.", noId.Message, StringComparison.Ordinal);
        Assert.StartsWith("Unknown role 'ghost'.", unknown.Message, StringComparison.Ordinal);
    }
}
