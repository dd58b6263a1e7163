using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;
using Microsoft.DurableTask;

namespace AgentFunctions.Tests.Orchestration;

public sealed class AgentTaskOrchestratorTests
{
    [Fact]
    public void Fan_out_calls_the_role_activity_once_per_role_with_its_envelope_and_retry_policy()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t1", "review", "docs")));

        Assert.Equal(["review", "docs"], run.Attempts.Select(a => a.InputAs<RoleAttemptRequest>().Attempt.Role));
        foreach (var call in run.Attempts)
        {
            var attempt = call.InputAs<RoleAttemptRequest>().Attempt;
            Assert.Equal("t1", attempt.TaskId);
            Assert.Equal(1, attempt.Attempt);
            Assert.Equal(3, attempt.MaxAttempts);
            Assert.Equal("Review the change.", attempt.Instructions);
            Assert.Equal(string.Empty, attempt.Prompt); // the activity builds it

            var policy = Assert.IsType<RoleRetryPolicy>(call.Options?.Retry?.Policy);
            Assert.Equal(3, policy.MaxNumberOfAttempts);
            Assert.Equal(TimeSpan.FromSeconds(2), policy.FirstRetryInterval);
            Assert.Equal(2.0, policy.BackoffCoefficient);
            Assert.Equal(TimeSpan.FromMinutes(1), policy.MaxRetryInterval);
        }

        Assert.Equal(AgentTaskStatus.Running, run.LastView.State);
        Assert.All(run.LastView.Roles, r => Assert.Equal(RoleStatus.Running, r.State));
    }

    [Fact]
    public async Task Task_completes_when_every_fanned_out_role_succeeds()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t1", "review", "docs")));

        run.Succeed("review");
        Assert.False(run.Run.IsCompleted);
        run.Succeed("docs");

        var result = await run.Run;
        Assert.Equal(AgentTaskStatus.Completed, result.State);
        Assert.Equal(["tasks/t1/results/review.md", "tasks/t1/results/docs.md"], result.Roles.Select(r => r.ResultRef));
        Assert.Equal(AgentTaskStatus.Completed, run.WrittenResult.Result.State);
        Assert.Equal(AgentTaskStatus.Completed, run.LastView.State);
    }

    [Fact]
    public async Task Stages_run_in_order_and_a_later_stage_receives_the_earlier_results()
    {
        var spec = TestPlans.Spec("t2") with { To = null, Stages = [["impl"], ["review", "docs"]] };
        var run = TaskOrchestration.Start(TestPlans.Plan(spec));

        Assert.Equal(["impl"], run.Attempts.Select(a => a.InputAs<RoleAttemptRequest>().Attempt.Role));
        run.Succeed("impl");

        Assert.Equal(["impl", "review", "docs"], run.Attempts.Select(a => a.InputAs<RoleAttemptRequest>().Attempt.Role));
        var input = Assert.Single(run.AttemptOf("review").InputAs<RoleAttemptRequest>().Attempt.Inputs);
        Assert.Equal("impl", input.Role);
        Assert.Equal("tasks/t2/results/impl.md", input.ResultRef);

        run.Succeed("review");
        run.Succeed("docs");
        Assert.Equal(AgentTaskStatus.Completed, (await run.Run).State);
    }

    [Fact]
    public async Task Permanent_failure_after_the_retry_policy_dead_letters_the_role_and_fails_the_task()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t3", "review")));

        run.Harness.Fail(run.AttemptOf("review"), new TaskFailedException(
            OrchestrationNames.RunRoleAttempt, 7, new TaskFailureDetails(typeof(PermanentAttemptException).FullName!, "[permanent] the agent refused", null, null, null)));

        var deadLetter = run.Harness.ActivitiesNamed(OrchestrationNames.WriteDeadLetter).Single().InputAs<DeadLetterRequest>();
        Assert.Equal("t3~review", deadLetter.Id);
        Assert.Equal("t3", deadLetter.TaskId);
        Assert.Equal("review", deadLetter.Role);
        var failure = Assert.Single(deadLetter.Failures);
        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal("the agent refused", failure.Message);
        Assert.Equal("Review the change.", deadLetter.Spec.Instructions);

        var ended = await run.EndingAsync();
        Assert.Equal(AgentTaskStatus.Failed, ended.Status);
        Assert.Equal(AgentTaskStatus.Failed, run.WrittenResult.Result.State);
        Assert.Equal(RoleStatus.DeadLettered, run.LastView.Roles.Single().State);
        Assert.Equal("t3~review", run.LastView.Roles.Single().DeadLetterId);
    }

    [Fact]
    public async Task Transient_transient_permanent_dead_letters_with_three_attempts_and_every_failure_in_order()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t4", "review")));
        var call = run.AttemptOf("review");
        var policy = Assert.IsType<RoleRetryPolicy>(call.Options?.Retry?.Policy);
        var start = run.Harness.Now;

        // What Durable's retry loop does: the filter sees each failure; true waits the schedule's delay and runs again.
        Assert.True(run.Harness.RetryFilter(policy, Transient("503 from the agent")));
        var view = run.LastView.Roles.Single();
        Assert.Equal((RoleStatus.Retrying, 1, "503 from the agent"), (view.State, view.Attempt, view.LastError));
        Assert.Equal(new DateTimeOffset(start.AddSeconds(2)), view.NextAttemptAt);
        Assert.Equal(AgentTaskStatus.Running, run.LastView.State);

        run.Harness.Fire(run.Harness.OpenTimer(start.AddSeconds(2)));
        view = run.LastView.Roles.Single();
        Assert.Equal((RoleStatus.Running, 2), (view.State, view.Attempt));

        run.Harness.Now = start.AddSeconds(5);
        Assert.True(run.Harness.RetryFilter(policy, Transient("connection reset")));
        view = run.LastView.Roles.Single();
        Assert.Equal((RoleStatus.Retrying, 2), (view.State, view.Attempt));
        Assert.Equal(new DateTimeOffset(start.AddSeconds(9)), view.NextAttemptAt); // 2 s × 2

        run.Harness.Fire(run.Harness.OpenTimer(start.AddSeconds(9)));
        run.Harness.Now = start.AddSeconds(12);
        var permanent = new TaskFailureDetails(typeof(PermanentAttemptException).FullName!, "[permanent] the agent refused", null, null, null);
        Assert.False(run.Harness.RetryFilter(policy, permanent));
        run.Harness.Fail(call, new TaskFailedException(OrchestrationNames.RunRoleAttempt, 7, permanent));

        var deadLetter = run.Harness.ActivitiesNamed(OrchestrationNames.WriteDeadLetter).Single().InputAs<DeadLetterRequest>();
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Equal(
            [
                new AttemptFailure(1, new DateTimeOffset(start), FailureKind.Transient, "503 from the agent"),
                new AttemptFailure(2, new DateTimeOffset(start.AddSeconds(5)), FailureKind.Transient, "connection reset"),
                new AttemptFailure(3, new DateTimeOffset(start.AddSeconds(12)), FailureKind.Permanent, "the agent refused"),
            ],
            deadLetter.Failures);
        Assert.Contains("permanent failure on attempt 3", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal(AgentTaskStatus.Failed, (await run.EndingAsync()).Status);
        Assert.Equal(3, run.LastView.Roles.Single().Attempt);
        Assert.True(run.Harness.NothingOutstanding());
    }

    [Fact]
    public async Task Transient_failures_up_to_the_cap_stop_the_policy_and_dead_letter_every_attempt()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t4b", "review")));
        var call = run.AttemptOf("review");
        var policy = Assert.IsType<RoleRetryPolicy>(call.Options?.Retry?.Policy);

        Assert.True(run.Harness.RetryFilter(policy, Transient("503")));
        Assert.True(run.Harness.RetryFilter(policy, Transient("503")));
        Assert.False(run.Harness.RetryFilter(policy, Transient("503 again"))); // attempt 3 of 3: no further retry
        run.Harness.Fail(call, new TaskFailedException(OrchestrationNames.RunRoleAttempt, 7, Transient("503 again")));

        var deadLetter = run.Harness.ActivitiesNamed(OrchestrationNames.WriteDeadLetter).Single().InputAs<DeadLetterRequest>();
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Equal([1, 2, 3], deadLetter.Failures.Select(f => f.Attempt));
        Assert.Contains("gave up after 3 attempts", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal(AgentTaskStatus.Failed, (await run.EndingAsync()).Status);
    }

    [Fact]
    public async Task A_failure_the_runtime_did_not_report_to_the_filter_still_dead_letters_the_role()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t4c", "review")));
        var call = run.AttemptOf("review");
        var policy = Assert.IsType<RoleRetryPolicy>(call.Options?.Retry?.Policy);

        Assert.True(run.Harness.RetryFilter(policy, Transient("503")));
        Assert.True(run.Harness.RetryFilter(policy, Transient("504")));
        run.Harness.Fail(call, new TaskFailedException(OrchestrationNames.RunRoleAttempt, 7, Transient("timeout")));

        var deadLetter = run.Harness.ActivitiesNamed(OrchestrationNames.WriteDeadLetter).Single().InputAs<DeadLetterRequest>();
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Equal(["503", "504", "timeout"], deadLetter.Failures.Select(f => f.Message));
        Assert.Equal([1, 2, 3], deadLetter.Failures.Select(f => f.Attempt));
        Assert.Equal(AgentTaskStatus.Failed, (await run.EndingAsync()).Status);
    }

    [Fact]
    public async Task A_retry_after_a_failure_can_still_succeed()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t4d", "review")));
        var policy = Assert.IsType<RoleRetryPolicy>(run.AttemptOf("review").Options?.Retry?.Policy);

        Assert.True(run.Harness.RetryFilter(policy, Transient("503")));
        run.Succeed("review");

        var result = await run.Run;
        Assert.Equal(AgentTaskStatus.Completed, result.State);
        Assert.Equal(2, result.Roles.Single().Attempts);
        Assert.True(run.Harness.NothingOutstanding());
    }

    [Fact]
    public void The_context_travels_by_reference_not_in_the_orchestration_input_or_the_activity_input()
    {
        var plan = TestPlans.Plan(TestPlans.Spec("t4e", "review") with { Context = new string('x', 200_000) });
        var input = TaskInput.From(plan);

        Assert.Null(input.Spec.Context);
        Assert.Equal("tasks/t4e/context.md", input.ContextRef);
        Assert.Equal(Core.Tasks.SpecFingerprint.Compute(plan.Spec), input.SpecHash);

        var run = TaskOrchestration.Start(plan);
        var attempt = run.AttemptOf("review").InputAs<RoleAttemptRequest>().Attempt;
        Assert.Null(attempt.Context);
        Assert.Equal("tasks/t4e/context.md", attempt.ContextRef);
        Assert.Equal(string.Empty, attempt.Prompt);
    }

    [Fact]
    public async Task Pre_run_approval_holds_the_roles_until_approved_and_cancels_its_timer()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t5", "review") with { RequiresApproval = true }, approvalTimeout: TimeSpan.FromHours(2)));

        Assert.Empty(run.Attempts);
        Assert.Equal(AgentTaskStatus.AwaitingApproval, run.LastView.State);
        var timer = run.Harness.OpenTimer(run.Harness.Now.AddHours(2));

        run.Harness.Raise(OrchestrationEvents.Approval, """{ "decision": "approve", "by": "ana", "note": "go" }""");

        Assert.True(timer.Token.IsCancellationRequested);
        Assert.Single(run.Attempts);
        var decision = Assert.Single(run.LastView.Approval!.Decisions);
        Assert.Equal(ApprovalDecision.Approve, decision.Decision);
        Assert.Equal("ana", decision.By);

        run.Succeed("review");
        Assert.Equal(AgentTaskStatus.Completed, (await run.Run).State);
    }

    [Fact]
    public async Task Rejecting_the_pre_run_approval_ends_the_task_rejected_without_running_a_role()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t6", "review") with { RequiresApproval = true }));

        run.Harness.Raise(OrchestrationEvents.Approval, """{ "decision": "reject", "by": "ana", "note": "not now" }""");

        Assert.Empty(run.Attempts);
        var ended = await run.EndingAsync();
        Assert.Equal(AgentTaskStatus.Rejected, ended.Status);
        Assert.Equal(AgentTaskStatus.Rejected, run.WrittenResult.Result.State);
        Assert.Equal("ana", run.WrittenResult.Result.Outcome.By);
        Assert.True(run.Harness.NothingOutstanding());
    }

    [Fact]
    public async Task A_result_that_needs_approval_waits_for_the_decision()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t7", "review")));

        run.Succeed("review", needsApproval: true);
        Assert.Equal(AgentTaskStatus.NeedsApproval, run.LastView.State);
        Assert.False(run.Run.IsCompleted);

        run.Harness.Raise(OrchestrationEvents.Approval, """{ "decision": "approve", "by": "lead", "role": "review" }""");

        var result = await run.Run;
        Assert.Equal(AgentTaskStatus.Completed, result.State);
        Assert.Equal(RoleStatus.Succeeded, result.Roles.Single().State);
    }

    [Fact]
    public async Task Rejecting_a_held_result_ends_the_task_rejected()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t8", "review")));
        run.Succeed("review", needsApproval: true);

        run.Harness.Raise(OrchestrationEvents.Approval, """{ "decision": "reject", "by": "lead", "note": "wrong file" }""");

        Assert.Equal(AgentTaskStatus.Rejected, (await run.EndingAsync()).Status);
        Assert.Equal(RoleStatus.Rejected, run.LastView.Roles.Single().State);
    }

    [Fact]
    public async Task Cancel_ends_a_running_task_canceled_and_releases_every_timer_and_wait()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t9", "review", "docs") with { TtlSeconds = 3600 }));

        run.Harness.Raise(OrchestrationEvents.Cancel, """{ "by": "ana", "reason": "superseded" }""");

        var ended = await run.EndingAsync();
        Assert.Equal(AgentTaskStatus.Canceled, ended.Status);
        Assert.Equal("superseded", run.WrittenResult.Result.Outcome.Reason);
        Assert.All(run.LastView.Roles, r => Assert.Equal(RoleStatus.Canceled, r.State));
        Assert.True(run.Harness.NothingOutstanding());
        Assert.All(run.Harness.Timers, t => Assert.True(t.Token.IsCancellationRequested));
    }

    [Fact]
    public async Task Reaching_the_ttl_first_expires_the_task()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t10", "review") with { TtlSeconds = 600 }));
        var deadline = run.Harness.OpenTimer(run.Harness.Now.AddSeconds(600));

        run.Harness.Fire(deadline);

        Assert.Equal(AgentTaskStatus.Expired, (await run.EndingAsync()).Status);
        Assert.Equal(AgentTaskStatus.Expired, run.WrittenResult.Result.State);
        Assert.True(run.Harness.NothingOutstanding());
    }

    [Fact]
    public async Task An_approval_that_times_out_expires_the_task()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t11", "review") with { RequiresApproval = true }, approvalTimeout: TimeSpan.FromMinutes(30)));

        run.Harness.Fire(run.Harness.OpenTimer(run.Harness.Now.AddMinutes(30)));

        Assert.Equal(AgentTaskStatus.Expired, (await run.EndingAsync()).Status);
        Assert.Empty(run.Attempts);
    }

    [Fact]
    public async Task Completing_cancels_the_outstanding_ttl_timer_and_event_waits()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t12", "review") with { TtlSeconds = 86400 }));
        var deadline = run.Harness.OpenTimer(run.Harness.Now.AddDays(1));

        run.Succeed("review");

        Assert.Equal(AgentTaskStatus.Completed, (await run.Run).State);
        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.True(run.Harness.NothingOutstanding());
        Assert.All(run.Harness.Waits, w => Assert.True(w.Token.IsCancellationRequested));
    }

    [Fact]
    public void A_malformed_approval_is_ignored_and_the_wait_is_armed_again()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t13", "review") with { RequiresApproval = true }));
        var waits = run.Harness.Waits.Count(w => w.Name == OrchestrationEvents.Approval);

        run.Harness.Raise(OrchestrationEvents.Approval, """{ "decision": "maybe" }""");

        Assert.False(run.Run.IsCompleted);
        Assert.Equal(AgentTaskStatus.AwaitingApproval, run.LastView.State);
        Assert.Equal(waits + 1, run.Harness.Waits.Count(w => w.Name == OrchestrationEvents.Approval));
    }

    [Fact]
    public void A_remote_role_runs_as_its_sub_orchestration_with_the_schedule_and_time_limits()
    {
        var catalog = TestPlans.Catalog("review");
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t14", "review"), catalog), catalog);

        Assert.Empty(run.Attempts);
        var call = Assert.Single(run.Harness.SubOrchestrations);
        Assert.Equal(OrchestrationNames.RemoteRole, call.Name);
        Assert.Equal("t14:review", Assert.IsType<SubOrchestrationOptions>(call.Options).InstanceId);
        var request = call.InputAs<RemoteRoleRequest>();
        Assert.Equal(TestPlans.Schedule, request.Schedule);
        Assert.Equal(30, request.LeaseSeconds);
        Assert.Equal(1, request.Attempt.Attempt);
    }

    [Fact]
    public async Task A_remote_role_that_fails_after_its_cap_is_dead_lettered_with_every_failure()
    {
        var catalog = TestPlans.Catalog("review");
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t15", "review"), catalog), catalog);
        var at = new DateTimeOffset(run.Harness.Now);
        AttemptFailure[] failures =
        [
            new(1, at, FailureKind.Transient, "lease expired"),
            new(2, at.AddSeconds(2), FailureKind.Transient, "crashed"),
            new(3, at.AddSeconds(40), FailureKind.Transient, "lease expired at 2025-01-01T08:00:35Z: the worker neither heartbeated, completed nor failed the attempt in time"),
        ];

        run.Harness.Complete(run.Harness.SubOrchestrations.Single(), new RemoteRoleOutcome(RemoteOutcomeKind.Failed, 3, null, false, failures));

        var deadLetter = run.Harness.ActivitiesNamed(OrchestrationNames.WriteDeadLetter).Single().InputAs<DeadLetterRequest>();
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Equal(failures, deadLetter.Failures);
        Assert.Equal(AgentTaskStatus.Failed, (await run.EndingAsync()).Status);
    }

    [Fact]
    public async Task Canceling_a_task_tells_its_remote_role_sub_orchestration_to_stop()
    {
        var catalog = TestPlans.Catalog("review");
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t16", "review"), catalog), catalog);

        run.Harness.Raise(OrchestrationEvents.Cancel, "{}");

        var sent = Assert.Single(run.Harness.Sent);
        Assert.Equal("t16:review", sent.Instance);
        Assert.Equal(OrchestrationEvents.Cancel, sent.Name);
        Assert.Equal(AgentTaskStatus.Canceled, (await run.EndingAsync()).Status);
    }

    [Fact]
    public void Heartbeat_progress_shows_in_the_task_view()
    {
        var catalog = TestPlans.Catalog("review");
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t17", "review"), catalog), catalog);

        run.Harness.Raise(OrchestrationEvents.Progress, """{ "role": "review", "attempt": 2, "progress": 0.5, "message": "halfway" }""");

        var role = run.LastView.Roles.Single();
        Assert.Equal(0.5, role.Progress);
        Assert.Equal("halfway", role.ProgressMessage);
    }

    private static TaskFailureDetails Transient(string message) =>
        new(typeof(TransientAttemptException).FullName!, TransientAttemptException.Marker + message, null, null, null);

    [Fact]
    public async Task Custom_status_is_the_task_view_throughout()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t18", "review") with { Priority = TaskPriority.High }));
        run.Succeed("review");
        await run.Run;

        Assert.All(run.Harness.Statuses, s => Assert.Equal("t18", TaskOrchestration.ViewOf(s).Id));
        Assert.Equal(TaskPriority.High, run.LastView.Priority);
        Assert.Equal("/api/tasks/t18", run.LastView.Links.Self);
    }
}
