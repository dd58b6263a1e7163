using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Orchestration;

namespace AgentFunctions.Tests.Support;

/// <summary>A task orchestration under test: the harness with bookkeeping activities answered, and the running orchestrator.</summary>
internal sealed class TaskOrchestration
{
    private TaskOrchestration(OrchestrationHarness harness, Task<TaskResultDocument> run)
    {
        Harness = harness;
        Run = run;
    }

    public OrchestrationHarness Harness { get; }

    public Task<TaskResultDocument> Run { get; }

    public static TaskOrchestration Start(TaskPlan plan, Core.Roles.RoleCatalog? catalog = null)
    {
        var harness = new OrchestrationHarness(plan, plan.Id);
        harness.AutoComplete(OrchestrationNames.DescribeRoles, _ => TestPlans.Routes(plan, catalog));
        harness.AutoComplete(OrchestrationNames.WriteDeadLetter, _ => null);
        harness.AutoComplete(OrchestrationNames.WriteTaskResult, _ => null);
        harness.AutoComplete(OrchestrationNames.DiscardResult, _ => null);
        return new TaskOrchestration(harness, harness.Start(AgentTaskOrchestrator.RunAsync));
    }

    public IReadOnlyList<OrchestrationHarness.Call> Attempts => Harness.ActivitiesNamed(OrchestrationNames.RunRoleAttempt).ToList();

    public OrchestrationHarness.Call AttemptOf(string role) =>
        Attempts.Single(a => a.InputAs<RoleAttemptRequest>().Attempt.Role == role);

    /// <summary>The last custom status, read back as the API reads it.</summary>
    public TaskView LastView => ViewOf(Harness.Statuses[^1]);

    public static TaskView ViewOf(object? status) =>
        Assert.IsType<JsonElement>(status).Deserialize<TaskView>(CoreJson.Options)!;

    public void Succeed(string role, bool needsApproval = false) =>
        Harness.Complete(AttemptOf(role), new RoleAttemptOutcome(TestPlans.Result(LastView.Id, role), needsApproval));

    public TaskResultRequest WrittenResult =>
        Harness.ActivitiesNamed(OrchestrationNames.WriteTaskResult).Single().InputAs<TaskResultRequest>();

    /// <summary>The ending of a task that did not complete: the orchestration fails with the task's state.</summary>
    public async Task<AgentTaskEndedException> EndingAsync()
    {
        Assert.True(Run.IsCompleted, "the orchestration should have ended");
        return await Assert.ThrowsAsync<AgentTaskEndedException>(() => Run);
    }
}
