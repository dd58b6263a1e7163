using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;
using Microsoft.DurableTask;

namespace AgentFunctions.Tests.Orchestration;

/// <summary>
/// The task orchestrator on a mocked context, for what the real Durable runtime does not let a test see: the exact
/// calls, timers and waits it asks for, and that every one of them is released when the task ends. How tasks run
/// end to end (fan-out, retries, approvals, cancel, TTL, remote roles) is tested on the real runtime in
/// AgentFunctions.Durable.Tests.
/// </summary>
public sealed class AgentTaskOrchestratorTests
{
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
    public void A_failed_attempt_waits_on_a_durable_timer_and_the_next_call_carries_the_next_attempt_number()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t20", "review")));
        var first = run.AttemptOf("review");
        Assert.Null(first.Options); // no Durable retry policy: the orchestrator runs each attempt itself
        var start = run.Harness.Now;

        run.Harness.Now = start.AddSeconds(1);
        run.Harness.Fail(first, new TaskFailedException(OrchestrationNames.RunRoleAttempt, 7, Transient("503 from the agent")));

        var view = run.LastView.Roles.Single();
        Assert.Equal((RoleStatus.Retrying, 1, "503 from the agent"), (view.State, view.Attempt, view.LastError));
        Assert.Equal(new DateTimeOffset(start.AddSeconds(3)), view.NextAttemptAt);
        Assert.Single(run.Attempts); // nothing runs before the timer fires

        run.Harness.Fire(run.Harness.OpenTimer(start.AddSeconds(3)));

        var second = run.Attempts[^1].InputAs<RoleAttemptRequest>().Attempt;
        Assert.Equal((2, 3), (second.Attempt, second.MaxAttempts));
        Assert.Equal(string.Empty, second.Prompt); // the activity builds the prompt for this attempt
        Assert.Null(run.Attempts[^1].Options);
        Assert.Equal((RoleStatus.Running, 2), (run.LastView.Roles.Single().State, run.LastView.Roles.Single().Attempt));
    }

    [Fact]
    public async Task A_cancel_while_a_retry_waits_releases_its_timer_and_runs_no_further_attempt()
    {
        var run = TaskOrchestration.Start(TestPlans.Plan(TestPlans.Spec("t21", "review")));
        run.Harness.Fail(run.AttemptOf("review"), new TaskFailedException(OrchestrationNames.RunRoleAttempt, 7, Transient("503")));
        var retry = run.Harness.OpenTimer(run.Harness.Now.AddSeconds(2));

        run.Harness.Raise(OrchestrationEvents.Cancel, """{ "by": "ana", "reason": "not needed" }""");

        Assert.Equal(AgentTaskStatus.Canceled, (await run.EndingAsync()).Status);
        Assert.True(retry.Token.IsCancellationRequested);
        Assert.Single(run.Attempts);
        Assert.True(run.Harness.NothingOutstanding());
    }

    private static TaskFailureDetails Transient(string message) =>
        new(typeof(TransientAttemptException).FullName!, TransientAttemptException.Marker + message, null, null, null);
}
