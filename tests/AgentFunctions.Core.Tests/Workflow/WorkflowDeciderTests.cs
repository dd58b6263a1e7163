using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Core.Tests.Workflow;

public class WorkflowDeciderTests
{
    [Fact]
    public void Fan_out_runs_every_role_at_once()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation", "review", "docs"));

        var runs = run.Commands.OfType<RunRoleAttempt>().ToList();
        Assert.Equal(["implementation", "review", "docs"], runs.Select(c => c.Role));
        Assert.All(runs, c => Assert.Equal(1, c.Attempt));
        Assert.All(runs, c => Assert.Null(c.DueAt));
        Assert.All(run.State.Roles, r => Assert.Equal(RoleStatus.Pending, r.Status));
        Assert.Equal(AgentTaskStatus.Accepted, run.State.Status);
    }

    [Fact]
    public void Task_runs_once_its_first_attempt_starts_and_counts_it()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));

        var decision = run.Apply(new RoleAttemptStarted("implementation", 1));

        Assert.True(decision.Applied);
        Assert.Equal(AgentTaskStatus.Running, run.State.Status);
        Assert.Equal(RoleStatus.Running, run.Role("implementation").Status);
        Assert.Equal(1, run.Role("implementation").Attempt);
        Assert.Equal(Plans.T0, run.Role("implementation").StartedAt);
    }

    [Fact]
    public void Fan_out_completes_when_every_role_succeeds()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation", "review"));

        run.Succeed("implementation");
        Assert.Equal(AgentTaskStatus.Running, run.State.Status);
        Assert.Empty(run.Commands.OfType<FinishTask>());

        run.Succeed("review");

        Assert.Equal(AgentTaskStatus.Completed, run.State.Status);
        Assert.Equal(AgentTaskStatus.Completed, run.State.Outcome!.State);
        Assert.Equal("2 roles succeeded", run.State.Outcome.Reason);
        Assert.Equal("tasks/t1/result.json", run.State.Outcome.ResultRef);
        Assert.Equal([typeof(WriteTaskResult), typeof(FinishTask)], run.Commands.Select(c => c.GetType()));
        Assert.All(run.State.Roles, r => Assert.Equal(RoleStatus.Succeeded, r.Status));
    }

    [Fact]
    public void Stages_run_in_order_and_pass_earlier_results_on()
    {
        var run = DeciderRun.Start(Plans.Staged(["implementation"], ["review", "docs"]));

        Assert.Equal("implementation", run.Single<RunRoleAttempt>().Role);
        Assert.Equal(RoleStatus.Pending, run.Role("review").Status);

        run.Succeed("implementation", "wrote the code");

        var next = run.Commands.OfType<RunRoleAttempt>().ToList();
        Assert.Equal(["review", "docs"], next.Select(c => c.Role));
        Assert.All(next, c => Assert.Equal(1, c.Stage));
        var input = Assert.Single(next[0].Inputs);
        Assert.Equal(new StageInput("implementation", 0, "wrote the code", "tasks/t1/results/implementation.md"), input);
        Assert.Equal(1, run.State.CurrentStage);

        run.Succeed("review");
        run.Succeed("docs");
        Assert.Equal(AgentTaskStatus.Completed, run.State.Status);
    }

    [Fact]
    public void Transient_failure_schedules_the_next_attempt_on_the_backoff()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));

        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Transient, "exit code 1"));

        var retry = run.Single<RunRoleAttempt>();
        Assert.Equal(2, retry.Attempt);
        Assert.Equal(Plans.T0.AddSeconds(2), retry.DueAt);
        var role = run.Role("implementation");
        Assert.Equal(RoleStatus.Retrying, role.Status);
        Assert.Equal(Plans.T0.AddSeconds(2), role.NextAttemptAt);
        Assert.Equal("exit code 1", role.LastError);
        Assert.Equal(1, role.Attempt);

        run.Advance(TimeSpan.FromSeconds(2));
        run.Apply(new RoleAttemptStarted("implementation", 2));
        run.Apply(new RoleAttemptFailed("implementation", 2, FailureKind.Transient, "exit code 1"));

        Assert.Equal(run.Now.AddSeconds(4), run.Single<RunRoleAttempt>().DueAt);
    }

    [Fact]
    public void Retry_delays_double_from_the_first_delay_up_to_the_cap()
    {
        var schedule = new RetrySchedule { MaxAttempts = 10, FirstDelay = TimeSpan.FromSeconds(2), BackoffCoefficient = 2, MaxDelay = TimeSpan.FromMinutes(5) };

        var delays = Enumerable.Range(1, 9).Select(n => schedule.DelayAfter(n).TotalSeconds);

        Assert.Equal([2, 4, 8, 16, 32, 64, 128, 256, 300], delays);
    }

    [Fact]
    public void Role_is_dead_lettered_after_max_attempts()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            run.Apply(new RoleAttemptStarted("implementation", attempt));
            run.Apply(new RoleAttemptFailed("implementation", attempt, FailureKind.Transient, $"boom {attempt}"));
            run.Advance(TimeSpan.FromSeconds(10));
        }

        var deadLetter = run.Single<WriteDeadLetter>();
        Assert.Equal("t1~implementation", deadLetter.DeadLetterId);
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Equal(["boom 1", "boom 2", "boom 3"], deadLetter.Failures.Select(f => f.Message));
        Assert.Equal("gave up after 3 attempts; last error: boom 3", deadLetter.Reason);
        Assert.Empty(run.Commands.OfType<RunRoleAttempt>());
        Assert.Equal(RoleStatus.DeadLettered, run.Role("implementation").Status);
        Assert.Equal("t1~implementation", run.Role("implementation").DeadLetterId);
        Assert.Equal(AgentTaskStatus.Failed, run.State.Status);
        Assert.Equal("dead-lettered: implementation", run.State.Outcome!.Reason);
    }

    [Fact]
    public void Permanent_failure_is_dead_lettered_without_a_retry()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));

        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Permanent, "HTTP 400"));

        Assert.Empty(run.Commands.OfType<RunRoleAttempt>());
        Assert.Equal("permanent failure on attempt 1: HTTP 400", run.Single<WriteDeadLetter>().Reason);
        Assert.Equal(AgentTaskStatus.Failed, run.State.Status);
    }

    [Fact]
    public void Task_fails_only_once_its_running_stage_settles()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation", "review"));
        run.Apply(new RoleAttemptStarted("review", 1));
        run.Apply(new RoleAttemptStarted("implementation", 1));

        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Permanent, "bad input"));

        Assert.Equal(AgentTaskStatus.Running, run.State.Status);
        Assert.Empty(run.Commands.OfType<FinishTask>());

        run.Apply(new RoleSucceeded("review", 1, DeciderRun.Result("review")));

        Assert.Equal(AgentTaskStatus.Failed, run.State.Status);
        Assert.Equal(RoleStatus.Succeeded, run.Role("review").Status);
    }

    [Fact]
    public void Later_stages_are_skipped_after_a_dead_letter()
    {
        var run = DeciderRun.Start(Plans.Staged(["implementation"], ["review"], ["docs"]));
        run.Apply(new RoleAttemptStarted("implementation", 1));

        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Permanent, "no"));

        Assert.Equal(AgentTaskStatus.Failed, run.State.Status);
        Assert.Equal(RoleStatus.Skipped, run.Role("review").Status);
        Assert.Equal(RoleStatus.Skipped, run.Role("docs").Status);
        Assert.Empty(run.Commands.OfType<RunRoleAttempt>());
    }

    [Fact]
    public void Failure_reported_by_an_engine_retry_policy_dead_letters_with_its_attempt_count()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        var failures = new[] { new AttemptFailure(3, Plans.T0, FailureKind.Transient, "timeout") };

        run.Apply(new RoleFailedFinally("implementation", 3, failures));

        var deadLetter = run.Single<WriteDeadLetter>();
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Equal(3, run.Role("implementation").Attempt);
        Assert.Equal(AgentTaskStatus.Failed, run.State.Status);
    }

    [Fact]
    public void Engine_reported_attempts_never_exceed_the_cap()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));

        run.Apply(new RoleFailedFinally("implementation", 99, []));

        Assert.Equal(3, run.Role("implementation").Attempt);
    }

    [Fact]
    public void Attempt_that_fails_before_it_was_announced_still_counts()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));

        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Transient, "unreachable"));

        Assert.Equal(1, run.Role("implementation").Attempt);
        Assert.Equal(RoleStatus.Retrying, run.Role("implementation").Status);
    }

    [Fact]
    public void Task_gate_holds_every_role_until_approved()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x", RequiresApproval = true });
        var run = DeciderRun.Start(plan);

        Assert.Equal(AgentTaskStatus.AwaitingApproval, run.State.Status);
        Assert.Empty(run.Commands.OfType<RunRoleAttempt>());
        var wait = run.Single<AwaitApproval>();
        Assert.Null(wait.Role);
        Assert.Equal(Plans.T0.AddHours(24), wait.DeadlineAt);

        run.Advance(TimeSpan.FromMinutes(5));
        run.Apply(new ApprovalDecided(ApprovalDecision.Approve, "alice", "go", null));

        Assert.Equal("implementation", run.Single<RunRoleAttempt>().Role);
        Assert.Equal(AgentTaskStatus.Accepted, run.State.Status);
        Assert.Equal("alice", run.State.Approval!.By);
        Assert.Equal(ApprovalDecision.Approve, run.State.Approval.Decision);
    }

    [Fact]
    public void Attempt_events_are_ignored_while_the_task_gate_holds_the_roles()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x", RequiresApproval = true });
        var run = DeciderRun.Start(plan);

        Assert.False(run.Apply(new RoleAttemptStarted("implementation", 1)).Applied);
        Assert.False(run.Apply(new RoleNeedsApproval("implementation", 1, DeciderRun.Result("implementation"))).Applied);
        Assert.False(run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Transient, "x")).Applied);
        Assert.Equal(0, run.Role("implementation").Attempt);
    }

    [Fact]
    public void Rejecting_the_task_gate_rejects_the_task_and_skips_its_roles()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation", "review"], Instructions = "x", RequiresApproval = true });
        var run = DeciderRun.Start(plan);

        run.Apply(new ApprovalDecided(ApprovalDecision.Reject, "bob", "not now", null));

        Assert.Equal(AgentTaskStatus.Rejected, run.State.Status);
        Assert.Equal("the task was rejected: not now", run.State.Outcome!.Reason);
        Assert.Equal("bob", run.State.Outcome.By);
        Assert.All(run.State.Roles, r => Assert.Equal(RoleStatus.Skipped, r.Status));
    }

    [Fact]
    public void Role_gate_waits_when_the_role_s_stage_comes()
    {
        var plan = Plans.Build(
            new TaskSpec { Id = "t1", Stages = [["implementation"], ["deploy"]], Instructions = "x" },
            gatedRoles: new HashSet<string> { "deploy" });
        var run = DeciderRun.Start(plan);
        Assert.Equal(RoleStatus.Pending, run.Role("deploy").Status);

        run.Succeed("implementation");

        Assert.Equal(RoleStatus.AwaitingApproval, run.Role("deploy").Status);
        Assert.Equal(AgentTaskStatus.AwaitingApproval, run.State.Status);
        Assert.Equal("deploy", run.Single<AwaitApproval>().Role);
        Assert.Empty(run.Commands.OfType<RunRoleAttempt>());

        run.Apply(new ApprovalDecided(ApprovalDecision.Approve, "alice", null, "deploy"));

        var attempt = run.Single<RunRoleAttempt>();
        Assert.Equal("deploy", attempt.Role);
        Assert.Single(attempt.Inputs);
    }

    [Fact]
    public void Needs_approval_result_holds_the_role_until_approved()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));

        run.Apply(new RoleNeedsApproval("implementation", 1, DeciderRun.Result("implementation", "please check")));

        Assert.Equal(AgentTaskStatus.NeedsApproval, run.State.Status);
        Assert.Equal(RoleStatus.NeedsApproval, run.Role("implementation").Status);
        Assert.Equal(ApprovalKind.Result, run.Single<AwaitApproval>().Kind);

        run.Apply(new ApprovalDecided(ApprovalDecision.Approve, "alice", "looks good", "implementation"));

        Assert.Equal(RoleStatus.Succeeded, run.Role("implementation").Status);
        Assert.Equal(AgentTaskStatus.Completed, run.State.Status);
        Assert.Equal("please check", run.Role("implementation").Result!.Summary);
    }

    [Fact]
    public void Rejected_result_rejects_the_task_once_its_stage_settles()
    {
        var run = DeciderRun.Start(Plans.Staged(["implementation", "review"], ["docs"]));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleAttemptStarted("review", 1));
        run.Apply(new RoleNeedsApproval("implementation", 1, DeciderRun.Result("implementation")));

        run.Apply(new ApprovalDecided(ApprovalDecision.Reject, "carol", "wrong approach", "implementation"));

        Assert.Equal(RoleStatus.Rejected, run.Role("implementation").Status);
        Assert.Equal(AgentTaskStatus.Running, run.State.Status);

        run.Apply(new RoleSucceeded("review", 1, DeciderRun.Result("review")));

        Assert.Equal(AgentTaskStatus.Rejected, run.State.Status);
        Assert.Equal("rejected: implementation", run.State.Outcome!.Reason);
        Assert.Equal("carol", run.State.Outcome.By);
        Assert.Equal(RoleStatus.Skipped, run.Role("docs").Status);
    }

    [Fact]
    public void Rejecting_without_a_role_rejects_the_task_and_cancels_running_attempts()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation", "review"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleAttemptStarted("review", 1));
        run.Apply(new RoleNeedsApproval("implementation", 1, DeciderRun.Result("implementation")));

        run.Apply(new ApprovalDecided(ApprovalDecision.Reject, "carol", null, null));

        Assert.Equal(AgentTaskStatus.Rejected, run.State.Status);
        Assert.Equal(RoleStatus.Rejected, run.Role("implementation").Status);
        Assert.Equal(RoleStatus.Canceled, run.Role("review").Status);
        Assert.Equal(new CancelRoleAttempt("review", 1), run.Single<CancelRoleAttempt>());
    }

    [Fact]
    public void Approving_without_a_role_approves_everything_that_waits()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["a", "b"], Instructions = "x" }, gatedRoles: new HashSet<string> { "a", "b" });
        var run = DeciderRun.Start(plan);

        run.Apply(new ApprovalDecided(ApprovalDecision.Approve, "alice", null, null));

        Assert.Equal(["a", "b"], run.Commands.OfType<RunRoleAttempt>().Select(c => c.Role));
    }

    [Fact]
    public void Cancel_while_running_stops_the_attempt_and_ends_the_task_canceled()
    {
        var run = DeciderRun.Start(Plans.Staged(["implementation"], ["review"]));
        run.Apply(new RoleAttemptStarted("implementation", 1));

        run.Apply(new CancelRequested("alice", "changed my mind"));

        Assert.Equal(AgentTaskStatus.Canceled, run.State.Status);
        Assert.Equal("changed my mind", run.State.Outcome!.Reason);
        Assert.Equal("alice", run.State.Outcome.By);
        Assert.Equal(new CancelRoleAttempt("implementation", 1), run.Single<CancelRoleAttempt>());
        Assert.Equal(RoleStatus.Canceled, run.Role("implementation").Status);
        Assert.Equal(RoleStatus.Skipped, run.Role("review").Status);
        Assert.Equal([typeof(CancelRoleAttempt), typeof(WriteTaskResult), typeof(FinishTask)], run.Commands.Select(c => c.GetType()));
    }

    [Fact]
    public void Cancel_while_a_retry_waits_drops_the_retry()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Transient, "flaky"));

        run.Apply(new CancelRequested(null, null));

        Assert.Equal(AgentTaskStatus.Canceled, run.State.Status);
        Assert.Equal("canceled", run.State.Outcome!.Reason);
        Assert.Equal(RoleStatus.Canceled, run.Role("implementation").Status);
        Assert.Null(run.Role("implementation").NextAttemptAt);
        Assert.Empty(run.Commands.OfType<CancelRoleAttempt>());

        var late = run.Apply(new RoleAttemptStarted("implementation", 2));
        Assert.False(late.Applied);
    }

    [Fact]
    public void Cancel_while_awaiting_approval_ends_the_task_canceled()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x", RequiresApproval = true });
        var run = DeciderRun.Start(plan);

        run.Apply(new CancelRequested("alice", "obsolete"));

        Assert.Equal(AgentTaskStatus.Canceled, run.State.Status);
        Assert.Equal(RoleStatus.Skipped, run.Role("implementation").Status);
        Assert.False(run.Apply(new ApprovalDecided(ApprovalDecision.Approve, "bob", null, null)).Applied);
    }

    [Fact]
    public void Deadline_expires_the_task()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x", TtlSeconds = 120 });
        var run = DeciderRun.Start(plan);
        Assert.Equal(new ScheduleDeadline(Plans.T0.AddSeconds(120)), run.Single<ScheduleDeadline>());
        Assert.Equal(Plans.T0.AddSeconds(120), run.State.DeadlineAt);
        run.Apply(new RoleAttemptStarted("implementation", 1));

        run.Advance(TimeSpan.FromSeconds(120));
        run.Apply(new DeadlineReached());

        Assert.Equal(AgentTaskStatus.Expired, run.State.Status);
        Assert.Equal(RoleStatus.Canceled, run.Role("implementation").Status);
        Assert.Single(run.Commands.OfType<CancelRoleAttempt>());
    }

    [Fact]
    public void Task_without_a_ttl_schedules_no_deadline()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));

        Assert.Empty(run.Commands.OfType<ScheduleDeadline>());
        Assert.Null(run.State.DeadlineAt);
    }

    [Fact]
    public void Approval_timeout_expires_the_task()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x", RequiresApproval = true }, approvalTimeout: TimeSpan.FromMinutes(10));
        var run = DeciderRun.Start(plan);
        var wait = run.Single<AwaitApproval>();

        run.Advance(TimeSpan.FromMinutes(10));
        run.Apply(new ApprovalTimedOut(null, wait.DeadlineAt));

        Assert.Equal(AgentTaskStatus.Expired, run.State.Status);
        Assert.Equal("no approval decision for the task within 00:10:00", run.State.Outcome!.Reason);
    }

    [Fact]
    public void Approval_timer_that_fires_before_the_deadline_is_ignored_and_armed_again()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x", RequiresApproval = true }, approvalTimeout: TimeSpan.FromMinutes(10));
        var run = DeciderRun.Start(plan);
        var wait = run.Single<AwaitApproval>();
        var before = run.State;

        run.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(600));
        var early = run.Apply(new ApprovalTimedOut(null, wait.DeadlineAt));

        Assert.False(early.Applied);
        Assert.Same(before, early.State);
        Assert.Equal(wait, Assert.Single(early.Commands));

        run.Advance(TimeSpan.FromMilliseconds(600));
        run.Apply(new ApprovalTimedOut(null, wait.DeadlineAt));

        Assert.Equal(AgentTaskStatus.Expired, run.State.Status);
    }

    [Fact]
    public void Approval_timer_of_a_decided_gate_is_ignored()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleNeedsApproval("implementation", 1, DeciderRun.Result("implementation")));
        var wait = run.Single<AwaitApproval>();
        run.Apply(new ApprovalDecided(ApprovalDecision.Approve, "alice", null, "implementation"));

        var stale = run.Apply(new ApprovalTimedOut("implementation", wait.DeadlineAt));

        Assert.False(stale.Applied);
        Assert.Equal(AgentTaskStatus.Completed, run.State.Status);
    }

    [Fact]
    public void Approval_timer_of_an_earlier_gate_on_the_same_role_is_ignored()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["deploy"], Instructions = "x" }, gatedRoles: new HashSet<string> { "deploy" });
        var run = DeciderRun.Start(plan);
        var preRun = run.Single<AwaitApproval>();
        run.Apply(new ApprovalDecided(ApprovalDecision.Approve, "alice", null, "deploy"));
        run.Advance(TimeSpan.FromHours(1));
        run.Apply(new RoleAttemptStarted("deploy", 1));
        run.Apply(new RoleNeedsApproval("deploy", 1, DeciderRun.Result("deploy")));

        var stale = run.Apply(new ApprovalTimedOut("deploy", preRun.DeadlineAt));

        Assert.False(stale.Applied);
        Assert.Equal(AgentTaskStatus.NeedsApproval, run.State.Status);
    }

    [Fact]
    public void Duplicate_success_is_ignored_without_changing_state()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation", "review"));
        run.Succeed("implementation");
        var before = run.State;

        var duplicate = run.Apply(new RoleSucceeded("implementation", 1, DeciderRun.Result("implementation", "other")));

        Assert.False(duplicate.Applied);
        Assert.Same(before, duplicate.State);
        Assert.Empty(duplicate.Commands);
    }

    [Fact]
    public void Result_of_an_earlier_attempt_is_ignored()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Transient, "lease expired"));
        run.Apply(new RoleAttemptStarted("implementation", 2));

        var late = run.Apply(new RoleSucceeded("implementation", 1, DeciderRun.Result("implementation")));

        Assert.False(late.Applied);
        Assert.Equal(RoleStatus.Running, run.Role("implementation").Status);
    }

    [Fact]
    public void Duplicate_start_of_the_same_attempt_is_ignored()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));

        Assert.False(run.Apply(new RoleAttemptStarted("implementation", 1)).Applied);
        Assert.False(run.Apply(new RoleAttemptStarted("implementation", 3)).Applied);
        Assert.Equal(1, run.Role("implementation").Attempt);
    }

    [Fact]
    public void Events_for_unknown_roles_are_ignored()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));

        Assert.False(run.Apply(new RoleAttemptStarted("ghost", 1)).Applied);
        Assert.False(run.Apply(new RoleSucceeded("ghost", 1, DeciderRun.Result("ghost"))).Applied);
        Assert.False(run.Apply(new ApprovalDecided(ApprovalDecision.Approve, null, null, "ghost")).Applied);
    }

    [Fact]
    public void Finished_task_absorbs_every_event()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Succeed("implementation");
        var final = run.State;
        WorkflowEvent[] events =
        [
            new RoleAttemptStarted("implementation", 2),
            new RoleAttemptFailed("implementation", 1, FailureKind.Permanent, "x"),
            new CancelRequested("a", "b"),
            new DeadlineReached(),
            new ApprovalDecided(ApprovalDecision.Reject, null, null, null),
            new ApprovalTimedOut(null, Plans.T0),
        ];

        foreach (var e in events)
        {
            var decision = run.Apply(e);
            Assert.False(decision.Applied);
            Assert.Same(final, decision.State);
            Assert.Empty(decision.Commands);
        }
    }

    [Fact]
    public void Late_result_of_a_canceled_attempt_is_kept_only_as_discarded()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new CancelRequested("alice", null));
        var final = run.State;
        var result = DeciderRun.Result("implementation");

        var late = run.Apply(new RoleSucceeded("implementation", 1, result));

        Assert.False(late.Applied);
        Assert.Same(final, late.State);
        Assert.Equal(new DiscardResult("implementation", 1, result), Assert.Single(late.Commands));
        Assert.Null(run.Role("implementation").Result);
    }

    [Fact]
    public void Heartbeat_progress_shows_on_the_running_role()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));

        run.Apply(new RoleProgressReported("implementation", 1, 1.7, "almost"));

        Assert.Equal(1.0, run.Role("implementation").Progress);
        Assert.Equal("almost", run.Role("implementation").ProgressMessage);
        Assert.False(run.Apply(new RoleProgressReported("implementation", 2, 0.5, "wrong attempt")).Applied);
    }

    [Fact]
    public void Every_applied_event_advances_the_version_and_the_clock()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        Assert.Equal(0, run.State.Version);

        run.Advance(TimeSpan.FromSeconds(3));
        run.Apply(new RoleAttemptStarted("implementation", 1));

        Assert.Equal(1, run.State.Version);
        Assert.Equal(Plans.T0.AddSeconds(3), run.State.UpdatedAt);
        Assert.Equal(Plans.T0, run.State.CreatedAt);
    }

    [Fact]
    public void Rejecting_a_role_s_pre_run_gate_rejects_the_task_without_running_the_role()
    {
        var plan = Plans.Build(
            new TaskSpec { Id = "t1", Stages = [["deploy"], ["docs"]], Instructions = "x" },
            gatedRoles: new HashSet<string> { "deploy" });
        var run = DeciderRun.Start(plan);

        run.Apply(new ApprovalDecided(ApprovalDecision.Reject, "carol", "not today", "deploy"));

        var deploy = run.Role("deploy");
        Assert.Equal(RoleStatus.Rejected, deploy.Status);
        Assert.Equal(0, deploy.Attempt);
        Assert.Equal(ApprovalDecision.Reject, deploy.Approval!.Decision);
        Assert.Equal("not today", deploy.Approval.Note);
        Assert.Equal(RoleStatus.Skipped, run.Role("docs").Status);
        Assert.Equal(AgentTaskStatus.Rejected, run.State.Status);
        Assert.Equal("rejected: deploy", run.State.Outcome!.Reason);
        Assert.Equal("carol", run.State.Outcome.By);
        Assert.Empty(run.Commands.OfType<RunRoleAttempt>());
        Assert.Equal([typeof(WriteTaskResult), typeof(FinishTask)], run.Commands.Select(c => c.GetType()));
    }

    [Fact]
    public void Approval_timeout_on_a_role_gate_expires_the_task()
    {
        var plan = Plans.Build(
            new TaskSpec { Id = "t1", To = ["deploy", "docs"], Instructions = "x" },
            gatedRoles: new HashSet<string> { "deploy" },
            approvalTimeout: TimeSpan.FromMinutes(30));
        var run = DeciderRun.Start(plan);
        var wait = run.Single<AwaitApproval>();
        Assert.Equal(new AwaitApproval("deploy", ApprovalKind.PreRun, Plans.T0.AddMinutes(30)), wait);
        run.Apply(new RoleAttemptStarted("docs", 1));

        run.Advance(TimeSpan.FromMinutes(30));
        run.Apply(new ApprovalTimedOut("deploy", wait.DeadlineAt));

        Assert.Equal(AgentTaskStatus.Expired, run.State.Status);
        Assert.Equal("no approval decision for role 'deploy' within 00:30:00", run.State.Outcome!.Reason);
        Assert.Equal(RoleStatus.Canceled, run.Role("deploy").Status);
        Assert.Equal(0, run.Role("deploy").Attempt);
        Assert.Equal(new CancelRoleAttempt("docs", 1), run.Single<CancelRoleAttempt>());
    }

    [Fact]
    public void Approval_timeout_on_a_needs_approval_result_expires_the_task_without_accepting_it()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x" }, approvalTimeout: TimeSpan.FromMinutes(10));
        var run = DeciderRun.Start(plan);
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Advance(TimeSpan.FromMinutes(1));
        run.Apply(new RoleNeedsApproval("implementation", 1, DeciderRun.Result("implementation")));
        var wait = run.Single<AwaitApproval>();
        Assert.Equal(new AwaitApproval("implementation", ApprovalKind.Result, Plans.T0.AddMinutes(11)), wait);

        run.Advance(TimeSpan.FromMinutes(10));
        run.Apply(new ApprovalTimedOut("implementation", wait.DeadlineAt));

        Assert.Equal(AgentTaskStatus.Expired, run.State.Status);
        Assert.Equal("no approval decision for role 'implementation' within 00:10:00", run.State.Outcome!.Reason);
        Assert.Equal(RoleStatus.Canceled, run.Role("implementation").Status);
        Assert.Empty(run.Commands.OfType<CancelRoleAttempt>());
        Assert.Null(Assert.Single(TaskViewProjector.ToResult(run.State)!.Roles).Summary);
    }

    [Fact]
    public void Cancel_while_a_result_needs_approval_ends_the_task_canceled()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleNeedsApproval("implementation", 1, DeciderRun.Result("implementation")));

        run.Apply(new CancelRequested("alice", "no longer needed"));

        Assert.Equal(AgentTaskStatus.Canceled, run.State.Status);
        Assert.Equal("no longer needed", run.State.Outcome!.Reason);
        Assert.Equal(RoleStatus.Canceled, run.Role("implementation").Status);
        Assert.Equal([typeof(WriteTaskResult), typeof(FinishTask)], run.Commands.Select(c => c.GetType()));
        Assert.False(TaskViewProjector.ToView(run.State).Approval!.Pending);
        Assert.False(run.Apply(new ApprovalDecided(ApprovalDecision.Approve, "bob", null, "implementation")).Applied);
        Assert.Equal(RoleStatus.Canceled, run.Role("implementation").Status);
    }

    [Fact]
    public void Deadline_during_an_approval_wait_expires_the_task()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x", RequiresApproval = true, TtlSeconds = 600 });
        var run = DeciderRun.Start(plan);
        var wait = run.Single<AwaitApproval>();

        run.Advance(TimeSpan.FromSeconds(600));
        run.Apply(new DeadlineReached());

        Assert.Equal(AgentTaskStatus.Expired, run.State.Status);
        Assert.Equal("the task deadline (ttlSeconds) passed", run.State.Outcome!.Reason);
        Assert.Equal(RoleStatus.Skipped, run.Role("implementation").Status);
        Assert.False(TaskViewProjector.ToView(run.State).Approval!.Pending);
        Assert.False(run.Apply(new ApprovalTimedOut(null, wait.DeadlineAt)).Applied);
        Assert.Equal(AgentTaskStatus.Expired, run.State.Status);
    }

    [Fact]
    public void Deadline_during_a_retry_wait_expires_the_task_and_drops_the_retry()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x", TtlSeconds = 60 }, Plans.FastRetry with { FirstDelay = TimeSpan.FromMinutes(2), MaxDelay = TimeSpan.FromMinutes(2) });
        var run = DeciderRun.Start(plan);
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Transient, "flaky"));
        Assert.Equal(RoleStatus.Retrying, run.Role("implementation").Status);

        run.Advance(TimeSpan.FromSeconds(60));
        run.Apply(new DeadlineReached());

        Assert.Equal(AgentTaskStatus.Expired, run.State.Status);
        Assert.Equal(RoleStatus.Canceled, run.Role("implementation").Status);
        Assert.Null(run.Role("implementation").NextAttemptAt);
        Assert.Empty(run.Commands.OfType<CancelRoleAttempt>());
        Assert.False(run.Apply(new RoleAttemptStarted("implementation", 2)).Applied);
    }

    [Fact]
    public void Deadline_event_for_a_task_without_a_ttl_is_ignored()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        var before = run.State;

        run.Advance(TimeSpan.FromDays(40));
        var decision = run.Apply(new DeadlineReached());

        Assert.False(decision.Applied);
        Assert.Same(before, decision.State);
        Assert.Empty(decision.Commands);
        Assert.Equal(AgentTaskStatus.Running, run.State.Status);
    }

    [Fact]
    public void Deadline_event_before_the_deadline_is_ignored_and_its_timer_armed_again()
    {
        var plan = Plans.Build(new TaskSpec { Id = "t1", To = ["implementation"], Instructions = "x", TtlSeconds = 120 });
        var run = DeciderRun.Start(plan);
        run.Apply(new RoleAttemptStarted("implementation", 1));
        var before = run.State;

        run.Advance(TimeSpan.FromSeconds(119));
        var early = run.Apply(new DeadlineReached());

        Assert.False(early.Applied);
        Assert.Same(before, early.State);
        Assert.Equal(new ScheduleDeadline(Plans.T0.AddSeconds(120)), Assert.Single(early.Commands));

        run.Advance(TimeSpan.FromSeconds(1));
        run.Apply(new DeadlineReached());

        Assert.Equal(AgentTaskStatus.Expired, run.State.Status);
    }

    [Fact]
    public void Late_result_of_the_next_attempt_after_a_cancel_during_a_retry_is_kept_as_discarded()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Transient, "flaky"));
        // The engine started attempt 2 just before the cancel; its start event never reached the decider.
        run.Apply(new CancelRequested("alice", null));
        var final = run.State;
        var result = DeciderRun.Result("implementation");

        var late = run.Apply(new RoleSucceeded("implementation", 2, result));
        var held = run.Apply(new RoleNeedsApproval("implementation", 2, result));
        var unrelated = run.Apply(new RoleSucceeded("implementation", 3, result));

        Assert.False(late.Applied);
        Assert.Same(final, late.State);
        Assert.Equal(new DiscardResult("implementation", 2, result), Assert.Single(late.Commands));
        Assert.Equal(new DiscardResult("implementation", 2, result), Assert.Single(held.Commands));
        Assert.Empty(unrelated.Commands);
        Assert.Null(run.Role("implementation").Result);
    }

    [Fact]
    public void Task_retry_override_narrows_the_role_schedule()
    {
        var schedule = Plans.FastRetry.With(new TaskRetryOverride { MaxAttempts = 2, FirstDelay = TimeSpan.FromMilliseconds(100) });

        Assert.Equal(2, schedule.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(100), schedule.FirstDelay);
        Assert.Equal(Plans.FastRetry.MaxDelay, schedule.MaxDelay);
    }

    [Fact]
    public void State_survives_a_json_round_trip()
    {
        var spec = new TaskSpec
        {
            Id = "t1",
            Stages = [["implementation"], ["review"]],
            Instructions = "x",
            Payload = new TaskPayload { Fmt = PayloadFormat.Json, Content = JsonSerializer.SerializeToElement(new { a = 1, b = new[] { "x" } }) },
            TtlSeconds = 600,
            Priority = TaskPriority.High,
        };
        var run = DeciderRun.Start(Plans.Build(spec));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleAttemptFailed("implementation", 1, FailureKind.Transient, "flaky"));

        var json = JsonSerializer.Serialize(run.State, CoreJson.Options);
        var back = JsonSerializer.Deserialize<TaskState>(json, CoreJson.Options)!;

        Assert.Equal(json, JsonSerializer.Serialize(back, CoreJson.Options));
        Assert.Contains("\"status\":\"retrying\"", json, StringComparison.Ordinal);
    }
}
