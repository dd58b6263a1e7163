using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Orchestration;

namespace AgentFunctions.Tests.Support;

/// <summary>Roles, specs and plans the tests share.</summary>
internal static class TestPlans
{
    public static readonly RetrySchedule Schedule = new()
    {
        MaxAttempts = 3,
        FirstDelay = TimeSpan.FromSeconds(2),
        BackoffCoefficient = 2.0,
        MaxDelay = TimeSpan.FromMinutes(1),
    };

    public static RoleCatalog Catalog(params string[] remoteRoles) => new(
        new[] { "impl", "review", "docs", "worker" }.Select(name => new RoleDefinition
        {
            Name = name,
            Runner = remoteRoles.Contains(name) || name == "worker" ? RunnerKind.Remote : RunnerKind.Echo,
            Retry = Schedule,
            LeaseDuration = TimeSpan.FromSeconds(30),
            Timeout = TimeSpan.FromSeconds(120),
        }));

    public static TaskSpec Spec(string id = "t1", params string[] to) => new()
    {
        Id = id,
        From = "coordinator",
        Type = "task",
        To = to.Length == 0 ? ["review"] : to,
        Instructions = "Review the change.",
    };

    public static TaskPlan Plan(TaskSpec spec, RoleCatalog? catalog = null, TimeSpan? approvalTimeout = null) =>
        TaskPlan.Create(spec, catalog ?? Catalog(), new WorkflowOptions { ApprovalTimeout = approvalTimeout ?? TimeSpan.FromHours(24) });

    public static RoleRoute[] Routes(TaskPlan plan, RoleCatalog? catalog = null) =>
        plan.Roles.Select(r => (catalog ?? Catalog()).Find(r.Name) is { } role
            ? new RoleRoute(r.Name, role.Runner == RunnerKind.Remote, 30)
            : new RoleRoute(r.Name, false, 60)).ToArray();

    public static RoleResult Result(string taskId, string role, string summary = "done") => new()
    {
        Summary = summary,
        ResultRef = $"tasks/{taskId}/results/{role}.md",
    };
}
