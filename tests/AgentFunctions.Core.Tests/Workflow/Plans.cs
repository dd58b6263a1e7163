using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Tests.Workflow;

/// <summary>Builds task plans for decider tests without a configuration file.</summary>
internal static class Plans
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static readonly RetrySchedule FastRetry = new()
    {
        MaxAttempts = 3,
        FirstDelay = TimeSpan.FromSeconds(2),
        BackoffCoefficient = 2,
        MaxDelay = TimeSpan.FromSeconds(5),
    };

    public static TaskPlan FanOut(params string[] roles) => Build(new TaskSpec { Id = "t1", To = roles, Instructions = "do it" });

    public static TaskPlan Staged(params string[][] stages) =>
        Build(new TaskSpec { Id = "t1", Stages = stages, Instructions = "do it" });

    public static TaskPlan Build(TaskSpec spec, RetrySchedule? schedule = null, ISet<string>? gatedRoles = null, TimeSpan? approvalTimeout = null) => new()
    {
        Spec = spec,
        Roles = spec.AllRoles().Select(r => new RolePlan(r, schedule ?? FastRetry, gatedRoles?.Contains(r) ?? false)).ToList(),
        ApprovalTimeout = approvalTimeout ?? TimeSpan.FromHours(24),
    };
}
