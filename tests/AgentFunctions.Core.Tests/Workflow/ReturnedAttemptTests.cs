using AgentFunctions.Core.History;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Core.Tests.Workflow;

/// <summary>A worker that hands a leased attempt back unfinished leaves the role waiting, the attempt uncounted.</summary>
public class ReturnedAttemptTests
{
    [Fact]
    public void A_returned_first_attempt_leaves_the_role_waiting_as_if_it_never_started()
    {
        var run = DeciderRun.Start(Plans.FanOut("impl"));
        run.Apply(new RoleAttemptStarted("impl", 1, "worker-a"));
        run.Apply(new RoleProgressReported("impl", 1, 0.7, "half way"));

        var decision = run.Apply(new RoleAttemptReturned("impl", 1));

        Assert.True(decision.Applied);
        Assert.Empty(decision.Commands);
        var role = run.Role("impl");
        Assert.Equal((RoleStatus.Pending, 0, (DateTimeOffset?)null), (role.Status, role.Attempt, role.StartedAt));
        Assert.Equal((null, null), (role.Progress, role.ProgressMessage));
        Assert.Equal(AgentTaskStatus.Accepted, run.State.Status);
    }

    [Fact]
    public void A_returned_retry_waits_as_retrying_and_the_next_worker_starts_the_same_attempt()
    {
        var run = DeciderRun.Start(Plans.FanOut("impl"));
        run.Apply(new RoleAttemptStarted("impl", 1));
        run.Apply(new RoleAttemptFailed("impl", 1, FailureKind.Transient, "down"));
        run.Advance(TimeSpan.FromSeconds(3)).Apply(new RoleAttemptStarted("impl", 2, "worker-a"));

        run.Apply(new RoleAttemptReturned("impl", 2));
        Assert.Equal((RoleStatus.Retrying, 1), (run.Role("impl").Status, run.Role("impl").Attempt));

        Assert.True(run.Apply(new RoleAttemptStarted("impl", 2, "worker-b")).Applied);
        Assert.Equal((RoleStatus.Running, 2), (run.Role("impl").Status, run.Role("impl").Attempt));
    }

    [Fact]
    public void A_return_of_an_attempt_that_is_not_running_changes_nothing()
    {
        var run = DeciderRun.Start(Plans.FanOut("impl"));
        run.Apply(new RoleAttemptStarted("impl", 1));

        Assert.False(run.Apply(new RoleAttemptReturned("impl", 2)).Applied);
        Assert.False(run.Apply(new RoleAttemptReturned("other", 1)).Applied);
        Assert.Equal((RoleStatus.Running, 1), (run.Role("impl").Status, run.Role("impl").Attempt));
    }

    [Fact]
    public void The_history_names_the_worker_that_handed_the_attempt_back()
    {
        var history = new TaskHistory(new Core.Tasks.TaskSpec { To = ["impl"], Instructions = "x" });
        history.Map(1, Plans.T0, new RoleAttemptStarted("impl", 1, "worker-a"));

        var returned = history.Map(2, Plans.T0, new RoleAttemptReturned("impl", 1));

        Assert.Equal((TaskHistoryTypes.AttemptReturned, "worker-a", "impl", (int?)1), (returned!.Type, returned.Actor, returned.Role, returned.Attempt));
    }
}
