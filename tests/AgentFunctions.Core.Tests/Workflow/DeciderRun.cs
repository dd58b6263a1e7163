using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Core.Tests.Workflow;

/// <summary>Drives the decider through events with a clock the test moves, keeping the last decision.</summary>
internal sealed class DeciderRun
{
    private DeciderRun(Decision start, DateTimeOffset now)
    {
        Last = start;
        Now = now;
    }

    public Decision Last { get; private set; }

    public DateTimeOffset Now { get; private set; }

    public TaskState State => Last.State;

    public IReadOnlyList<WorkflowCommand> Commands => Last.Commands;

    public static DeciderRun Start(TaskPlan plan) => new(WorkflowDecider.Start(plan, Plans.T0), Plans.T0);

    public DeciderRun Advance(TimeSpan by)
    {
        Now += by;
        return this;
    }

    public Decision Apply(WorkflowEvent workflowEvent)
    {
        Last = WorkflowDecider.Apply(Last.State, workflowEvent, Now);
        return Last;
    }

    public RoleState Role(string name) => State.FindRole(name) ?? throw new InvalidOperationException($"no role {name}");

    public Decision Succeed(string role, string? summary = null)
    {
        var attempt = Role(role).Status == RoleStatus.Running ? Role(role).Attempt : Role(role).Attempt + 1;
        Apply(new RoleAttemptStarted(role, attempt));
        return Apply(new RoleSucceeded(role, attempt, Result(role, summary)));
    }

    public static RoleResult Result(string role, string? summary = null) =>
        new() { Summary = summary ?? $"{role} done", ResultRef = $"tasks/t1/results/{role}.md" };

    public T Single<T>()
        where T : WorkflowCommand => Assert.Single(Commands.OfType<T>());
}
