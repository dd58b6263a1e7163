using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Core.Tests.Workflow;

/// <summary>How the decider takes the circuit breaker's holds: they wait, are shown, and never count as attempts.</summary>
public class CircuitHoldTests
{
    [Fact]
    public void A_waiting_attempt_held_by_the_breaker_is_marked_held_and_not_counted()
    {
        var run = DeciderRun.Start(Plans.FanOut("impl"));
        var until = Plans.T0.AddSeconds(30);

        var decision = run.Apply(new RoleCircuitHeld("impl", 1, until));

        Assert.True(decision.Applied);
        Assert.Empty(decision.Commands);
        Assert.Equal((RoleStatus.Pending, 0, until), (run.Role("impl").Status, run.Role("impl").Attempt, run.Role("impl").CircuitHeldUntil));
        var view = TaskViewProjector.ToView(run.State).Roles[0];
        Assert.Equal(until, view.CircuitHeldUntil);
        Assert.Equal("held by the circuit breaker of role 'impl' until 2026-11-25T12:00:30Z", view.WaitReason);
    }

    [Fact]
    public void A_started_attempt_the_breaker_held_is_taken_back_and_asked_for_again_when_the_hold_ends()
    {
        var run = DeciderRun.Start(Plans.FanOut("impl"));
        run.Apply(new RoleAttemptStarted("impl", 1));
        run.Apply(new RoleAttemptFailed("impl", 1, Core.Retries.FailureKind.Transient, "down"));
        run.Advance(TimeSpan.FromSeconds(3)).Apply(new RoleAttemptStarted("impl", 2));
        var until = run.Now.AddSeconds(30);

        var decision = run.Apply(new RoleCircuitHeld("impl", 2, until));

        var role = run.Role("impl");
        Assert.Equal((RoleStatus.Retrying, 1, until, until), (role.Status, role.Attempt, role.NextAttemptAt, role.CircuitHeldUntil));
        var again = Assert.Single(decision.Commands.OfType<RunRoleAttempt>());
        Assert.Equal((2, until), (again.Attempt, again.DueAt));
    }

    [Fact]
    public void The_first_attempt_taken_back_leaves_the_role_as_if_it_never_started()
    {
        var run = DeciderRun.Start(Plans.FanOut("impl"));
        run.Apply(new RoleAttemptStarted("impl", 1));

        run.Apply(new RoleCircuitHeld("impl", 1, Plans.T0.AddSeconds(30)));

        Assert.Equal((RoleStatus.Pending, 0, (DateTimeOffset?)null), (run.Role("impl").Status, run.Role("impl").Attempt, run.Role("impl").StartedAt));
        Assert.Equal(AgentTaskStatus.Accepted, run.State.Status);
    }

    [Fact]
    public void Release_and_start_clear_the_hold()
    {
        var run = DeciderRun.Start(Plans.FanOut("impl", "review"));
        run.Apply(new RoleCircuitHeld("impl", 1, Plans.T0.AddSeconds(30)));
        run.Apply(new RoleCircuitHeld("review", 1, Plans.T0.AddSeconds(30)));

        Assert.True(run.Apply(new RoleCircuitReleased("impl")).Applied);
        run.Apply(new RoleAttemptStarted("review", 1));

        Assert.Null(run.Role("impl").CircuitHeldUntil);
        Assert.Null(run.Role("review").CircuitHeldUntil);
        Assert.False(run.Apply(new RoleCircuitReleased("impl")).Applied);
    }

    [Fact]
    public void A_hold_repeated_with_the_same_end_changes_nothing_and_a_later_end_moves_it()
    {
        var run = DeciderRun.Start(Plans.FanOut("impl"));
        run.Apply(new RoleCircuitHeld("impl", 1, Plans.T0.AddSeconds(30)));

        Assert.False(run.Apply(new RoleCircuitHeld("impl", 1, Plans.T0.AddSeconds(30))).Applied);
        Assert.True(run.Apply(new RoleCircuitHeld("impl", 1, Plans.T0.AddSeconds(60))).Applied);
        Assert.Equal(Plans.T0.AddSeconds(60), run.Role("impl").CircuitHeldUntil);
    }

    [Fact]
    public void A_hold_for_an_attempt_that_is_not_the_next_one_or_a_role_not_in_play_is_ignored()
    {
        var run = DeciderRun.Start(Plans.Staged(["impl"], ["review"]));

        Assert.False(run.Apply(new RoleCircuitHeld("impl", 3, Plans.T0.AddSeconds(30))).Applied);
        Assert.False(run.Apply(new RoleCircuitHeld("review", 1, Plans.T0.AddSeconds(30))).Applied);
        Assert.False(run.Apply(new RoleCircuitHeld("nobody", 1, Plans.T0.AddSeconds(30))).Applied);
    }

    [Fact]
    public void A_canceled_task_shows_no_hold()
    {
        var run = DeciderRun.Start(Plans.FanOut("impl"));
        run.Apply(new RoleCircuitHeld("impl", 1, Plans.T0.AddSeconds(30)));

        run.Apply(new CancelRequested("ana", "stop"));

        Assert.Null(run.Role("impl").CircuitHeldUntil);
        Assert.Null(TaskViewProjector.ToView(run.State).Roles[0].WaitReason);
    }
}
