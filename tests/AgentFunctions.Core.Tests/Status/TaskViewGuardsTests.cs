using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Tests.Workflow;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Core.Tests.Status;

/// <summary>The 409 explanations both hosts give for decisions and cancels that do not fit the task.</summary>
public class TaskViewGuardsTests
{
    [Fact]
    public void Decision_conflicts_are_explained()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation", "review"], Instructions = "x", RequiresApproval = true });
        var run = DeciderRun.Start(plan);

        Assert.Null(TaskViewGuards.ExplainDecisionConflict(View(run), null));
        Assert.Equal(
            "task 't1' waits for approval of the whole task; approve or reject it without a role first",
            TaskViewGuards.ExplainDecisionConflict(View(run), "review"));

        run.Apply(new ApprovalDecided(ApprovalDecision.Approve, null, null, null));
        Assert.Equal("task 't1' is not awaiting approval", TaskViewGuards.ExplainDecisionConflict(View(run), null));
        Assert.Equal("role 'review' of task 't1' is not awaiting approval (pending)", TaskViewGuards.ExplainDecisionConflict(View(run), "review"));
        Assert.Equal("task 't1' has no role 'ghost'", TaskViewGuards.ExplainDecisionConflict(View(run), "ghost"));
        Assert.Null(TaskViewGuards.ExplainCancelConflict(View(run)));

        run.Apply(new CancelRequested(null, null));
        Assert.Equal("task 't1' has already ended (canceled)", TaskViewGuards.ExplainDecisionConflict(View(run), null));
        Assert.Equal("task 't1' has already ended (canceled)", TaskViewGuards.ExplainCancelConflict(View(run)));
    }

    [Fact]
    public void Decision_for_a_role_that_waits_fits_and_one_for_another_role_does_not()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation", "review"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleNeedsApproval("implementation", 1, DeciderRun.Result("implementation")));

        Assert.Null(TaskViewGuards.ExplainDecisionConflict(View(run), "implementation"));
        Assert.Null(TaskViewGuards.ExplainDecisionConflict(View(run), null));
        Assert.Equal("role 'review' of task 't1' is not awaiting approval (pending)", TaskViewGuards.ExplainDecisionConflict(View(run), "review"));
    }

    private static TaskView View(DeciderRun run) => TaskViewProjector.ToView(run.State);
}
