using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;
using Moq;

namespace AgentFunctions.Tests.Orchestration;

public sealed class RemoteRoleOrchestratorTests
{
    [Fact]
    public void An_attempt_waiting_in_the_queue_has_no_timer_until_a_worker_leases_it()
    {
        var (harness, run) = Start();

        AssertDispatched(harness, 1);
        Assert.Empty(harness.Timers);
        Assert.False(run.IsCompleted);

        // A worker leases it much later: only now does a timer run, at the lease's expiry.
        harness.Now = harness.Now.AddHours(3);
        var expiresAt = harness.Now.AddSeconds(30);
        Lease(harness, 1, expiresAt);

        var timer = Assert.Single(harness.Timers);
        Assert.Equal(expiresAt + RemoteRoleOrchestrator.LeaseGrace, timer.FireAt);
        Assert.False(run.IsCompleted);
    }

    [Fact]
    public async Task Each_heartbeat_moves_the_expiry_so_a_long_job_is_not_killed()
    {
        var (harness, run) = Start();
        var start = harness.Now;
        Lease(harness, 1, start.AddSeconds(30));
        var first = harness.OpenTimer(start.AddSeconds(30) + RemoteRoleOrchestrator.LeaseGrace);

        // Heartbeats for minutes, far beyond the 30 s lease, within one episode.
        var expiry = start.AddSeconds(30);
        for (var beat = 1; beat < RemoteRoleOrchestrator.LeaseEventsPerEpisode - 1; beat++)
        {
            harness.Now = start.AddSeconds(20 * beat);
            expiry = harness.Now.AddSeconds(30);
            Lease(harness, 1, expiry);
        }

        Assert.True(first.Token.IsCancellationRequested);
        var armed = Assert.Single(harness.Timers, t => !t.Completion.Task.IsCompleted);
        Assert.Equal(expiry + RemoteRoleOrchestrator.LeaseGrace, armed.FireAt);

        harness.Raise(OrchestrationEvents.RemoteResult(1), """{ "attempt": 1, "succeeded": true, "result": { "summary": "ok", "resultRef": "tasks/t1/results/worker.md" } }""");

        var outcome = Assert.IsType<RemoteRoleOutcome>(await run);
        Assert.Equal(RemoteOutcomeKind.Succeeded, outcome.Kind);
        Assert.Empty(outcome.Failures);
        Assert.True(harness.NothingOutstanding());
    }

    [Fact]
    public async Task A_lease_that_expires_without_a_heartbeat_is_a_transient_failure_retried_on_the_schedule()
    {
        var (harness, run) = Start();
        var start = harness.Now;
        Lease(harness, 1, start.AddSeconds(30));

        harness.Fire(harness.OpenTimer(start.AddSeconds(30) + RemoteRoleOrchestrator.LeaseGrace));

        // Attempt 1 failed: the lease API now hands out (and accepts results for) attempt 2 only.
        Assert.Equal(new RemoteAttemptStatus("t1", "worker", 2), harness.Statuses[^1]);
        var failedAt = harness.Now;
        harness.Fire(harness.OpenTimer(failedAt.AddSeconds(2)));
        AssertDispatched(harness, 2);
        harness.Raise(OrchestrationEvents.RemoteResult(2), """{ "attempt": 2, "succeeded": true, "result": { "summary": "ok", "resultRef": "tasks/t1/results/worker.md" } }""");

        var outcome = Assert.IsType<RemoteRoleOutcome>(await run);
        Assert.Equal(RemoteOutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(2, outcome.Attempts);
        var failure = Assert.Single(outcome.Failures);
        Assert.Equal((1, FailureKind.Transient), (failure.Attempt, failure.Kind));
        Assert.StartsWith("lease expired at ", failure.Message, StringComparison.Ordinal);
        Assert.True(harness.NothingOutstanding());
    }

    [Fact]
    public void A_released_attempt_waits_in_the_queue_again_without_a_timer()
    {
        var (harness, run) = Start();
        Lease(harness, 1, harness.Now.AddSeconds(30));
        var timer = Assert.Single(harness.Timers);

        harness.Raise(OrchestrationEvents.RemoteLease(1), """{ "attempt": 1, "leaseExpiresAt": null }""");

        Assert.True(timer.Token.IsCancellationRequested);
        Assert.All(harness.Timers, t => Assert.True(t.Completion.Task.IsCompleted));
        Assert.False(run.IsCompleted);
        Assert.Single(harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt));
        // The task hears of it, so its view shows the role waiting again rather than running.
        var told = harness.Sent.Select(s => s.Payload).OfType<RemoteAttemptEvent>().Last();
        Assert.Equal(new RoleAttemptReturned("worker", 1), told.ToWorkflowEvent());
    }

    [Fact]
    public void A_stale_lease_event_does_not_pull_the_expiry_back()
    {
        var (harness, _) = Start();
        var start = harness.Now;
        Lease(harness, 1, start.AddSeconds(90));

        Lease(harness, 1, start.AddSeconds(30));

        var armed = Assert.Single(harness.Timers, t => !t.Completion.Task.IsCompleted);
        Assert.Equal(start.AddSeconds(90) + RemoteRoleOrchestrator.LeaseGrace, armed.FireAt);
    }

    [Fact]
    public async Task Retries_on_the_schedule_with_durable_timers_and_gives_up_after_the_cap()
    {
        var (harness, run) = Start();
        var start = harness.Now;

        AssertDispatched(harness, 1);
        harness.Raise(OrchestrationEvents.RemoteResult(1), """{ "attempt": 1, "succeeded": false, "kind": "transient", "error": "lease expired" }""");

        // Delay before attempt 2 = firstDelay (2 s); before attempt 3 = 2 s × 2 = 4 s.
        harness.Fire(harness.OpenTimer(start.AddSeconds(2)));
        AssertDispatched(harness, 2);
        harness.Raise(OrchestrationEvents.RemoteResult(2), """{ "attempt": 2, "succeeded": false, "kind": "transient", "error": "worker crashed" }""");

        harness.Fire(harness.OpenTimer(start.AddSeconds(6)));
        AssertDispatched(harness, 3);
        Lease(harness, 3, start.AddSeconds(36));
        harness.Fire(harness.OpenTimer(start.AddSeconds(36) + RemoteRoleOrchestrator.LeaseGrace));

        var outcome = Assert.IsType<RemoteRoleOutcome>(await run);
        Assert.Equal(RemoteOutcomeKind.Failed, outcome.Kind);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal([1, 2, 3], outcome.Failures.Select(f => f.Attempt));
        Assert.Equal(["lease expired", "worker crashed"], outcome.Failures.Take(2).Select(f => f.Message));
        Assert.StartsWith("lease expired at ", outcome.Failures[2].Message, StringComparison.Ordinal);
        Assert.Equal(3, harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt).Count());
        Assert.True(harness.NothingOutstanding());
    }

    [Fact]
    public async Task A_permanent_failure_stops_at_once()
    {
        var (harness, run) = Start();

        harness.Raise(OrchestrationEvents.RemoteResult(1), """{ "attempt": 1, "succeeded": false, "kind": "permanent", "error": "bad input" }""");

        var outcome = Assert.IsType<RemoteRoleOutcome>(await run);
        Assert.Equal(RemoteOutcomeKind.Failed, outcome.Kind);
        Assert.Equal(FailureKind.Permanent, Assert.Single(outcome.Failures).Kind);
        Assert.Single(harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt));
    }

    [Fact]
    public async Task The_workers_result_ends_it_with_the_stored_references()
    {
        var (harness, run) = Start();

        harness.Raise(OrchestrationEvents.RemoteResult(1), """{ "attempt": 1, "succeeded": true, "needsApproval": true, "result": { "summary": "ok", "resultRef": "tasks/t1/results/worker.md" } }""");

        var outcome = Assert.IsType<RemoteRoleOutcome>(await run);
        Assert.Equal(RemoteOutcomeKind.Succeeded, outcome.Kind);
        Assert.True(outcome.NeedsApproval);
        Assert.Equal("tasks/t1/results/worker.md", outcome.Result!.ResultRef);
        Assert.True(harness.NothingOutstanding());
    }

    [Fact]
    public async Task Cancel_from_the_task_ends_it_during_a_backoff()
    {
        var (harness, run) = Start();
        harness.Raise(OrchestrationEvents.RemoteResult(1), """{ "attempt": 1, "succeeded": false, "kind": "transient", "error": "timeout" }""");

        harness.Raise(OrchestrationEvents.Cancel, """{ "reason": "the task ended" }""");

        Assert.Equal(RemoteOutcomeKind.Canceled, Assert.IsType<RemoteRoleOutcome>(await run).Kind);
        Assert.Single(harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt));
        Assert.True(harness.NothingOutstanding());
    }

    [Fact]
    public async Task Cancel_from_the_task_ends_a_leased_attempt_and_its_timer()
    {
        var (harness, run) = Start();
        Lease(harness, 1, harness.Now.AddSeconds(30));

        harness.Raise(OrchestrationEvents.Cancel, """{ "reason": "the task ended" }""");

        Assert.Equal(RemoteOutcomeKind.Canceled, Assert.IsType<RemoteRoleOutcome>(await run).Kind);
        Assert.True(harness.NothingOutstanding());
        Assert.All(harness.Timers, t => Assert.True(t.Token.IsCancellationRequested));
    }

    [Fact]
    public async Task After_many_heartbeats_the_episode_continues_as_new_with_its_attempt_and_lease()
    {
        var (harness, run) = Start();
        object? continuedWith = null;
        harness.Context.Setup(c => c.ContinueAsNew(It.IsAny<object?>(), true)).Callback((object? input, bool _) => continuedWith = input);
        var expiry = harness.Now;
        for (var beat = 1; beat <= RemoteRoleOrchestrator.LeaseEventsPerEpisode; beat++)
        {
            harness.Now = harness.Now.AddSeconds(20);
            expiry = harness.Now.AddSeconds(30);
            Lease(harness, 1, expiry);
        }

        Assert.Null(await run);
        var next = Assert.IsType<RemoteRoleRequest>(continuedWith);
        Assert.Equal(new DateTimeOffset(expiry), next.Resume!.LeaseExpiresAt);
        Assert.Equal(1, next.Resume.Attempt);
        Assert.Empty(next.Resume.Failures);
        Assert.True(harness.NothingOutstanding());
    }

    [Fact]
    public async Task A_continued_episode_waits_for_its_attempt_without_dispatching_it_again()
    {
        var envelope = Envelope();
        var expiry = new DateTime(2025, 1, 1, 8, 0, 30, DateTimeKind.Utc);
        var failure = new AttemptFailure(1, new DateTimeOffset(2025, 1, 1, 7, 59, 0, TimeSpan.Zero), FailureKind.Transient, "timeout");
        var request = new RemoteRoleRequest(envelope, TestPlans.Schedule, 30) { Resume = new RemoteRoleResume(2, [failure], expiry) };
        var harness = new OrchestrationHarness(request, "t1:worker");
        harness.AutoComplete(OrchestrationNames.DispatchRemoteAttempt, _ => new RemoteDispatch("message-3", null));
        var run = harness.Start(RemoteRoleOrchestrator.RunAsync);

        Assert.Empty(harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt));
        harness.Fire(harness.OpenTimer(expiry + RemoteRoleOrchestrator.LeaseGrace));
        harness.Fire(harness.Timers.Single(t => !t.Completion.Task.IsCompleted));

        AssertDispatched(harness, 3);
        harness.Raise(OrchestrationEvents.RemoteResult(3), """{ "attempt": 3, "succeeded": true, "result": { "summary": "ok", "resultRef": "tasks/t1/results/worker.md" } }""");
        var outcome = Assert.IsType<RemoteRoleOutcome>(await run);
        Assert.Equal(RemoteOutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal(2, outcome.Failures.Count);
        Assert.StartsWith("lease expired", outcome.Failures[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Custom_status_names_the_attempt_the_lease_api_may_hand_out()
    {
        var (harness, _) = Start();

        // With the send receipt of the attempt's message, so a worker naming the task can take exactly that message.
        var status = Assert.IsType<RemoteAttemptStatus>(harness.Statuses[^1]);
        Assert.Equal(new RemoteAttemptStatus("t1", "worker", 1, "message-1"), status);
    }

    [Fact]
    public void A_released_attempt_gets_the_receipt_of_its_fresh_message_without_a_lease_timer()
    {
        var (harness, run) = Start();
        Lease(harness, 1, harness.Now.AddSeconds(30));

        harness.Raise(OrchestrationEvents.RemoteLease(1), """{ "attempt": 1, "leaseExpiresAt": null, "workerId": "w-1" }""");
        harness.Raise(OrchestrationEvents.RemoteLease(1), """{ "attempt": 1, "leaseExpiresAt": null, "workerId": "w-1", "queued": "message-1b" }""");

        Assert.Equal(new RemoteAttemptStatus("t1", "worker", 1, "message-1b"), harness.Statuses[^1]);
        Assert.All(harness.Timers, timer => Assert.True(timer.Completion.Task.IsCanceled, "no lease is held: no timer may run"));
        Assert.False(run.IsCompleted);
    }

    private static void Lease(OrchestrationHarness harness, int attempt, DateTime expiresAt) =>
        harness.Raise(OrchestrationEvents.RemoteLease(attempt), $$"""{ "attempt": {{attempt}}, "leaseExpiresAt": "{{expiresAt:O}}", "workerId": "w-1" }""");

    private static void AssertDispatched(OrchestrationHarness harness, int attempt)
    {
        var item = harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt).Last().InputAs<RemoteWorkItem>();
        Assert.Equal(attempt, item.Attempt);
        Assert.Equal(attempt, item.Input.Attempt);
        Assert.Equal("t1:worker", item.InstanceId);
        Assert.Equal(30, item.LeaseSeconds);

        // The dispatch activity builds the prompt of this attempt (and reads the context) itself.
        Assert.Equal(string.Empty, item.Input.Prompt);
        Assert.Equal("tasks/t1/context.md", item.Input.ContextRef);
        Assert.Null(item.Input.Context);
        Assert.Equal(new RemoteAttemptStatus("t1", "worker", attempt, $"message-{attempt}"), harness.Statuses[^1]);
    }

    private static (OrchestrationHarness Harness, Task<RemoteRoleOutcome?> Run) Start()
    {
        var harness = new OrchestrationHarness(new RemoteRoleRequest(Envelope(), TestPlans.Schedule, 30), "t1:worker");
        var dispatched = 0;
        harness.AutoComplete(OrchestrationNames.DispatchRemoteAttempt, _ => new RemoteDispatch($"message-{++dispatched}", null));
        return (harness, harness.Start(RemoteRoleOrchestrator.RunAsync));
    }

    private static AgentAttempt Envelope() => new()
    {
        TaskId = "t1",
        Role = "worker",
        Attempt = 1,
        MaxAttempts = 3,
        Type = "task",
        Instructions = "Do the work.",
        ContextRef = "tasks/t1/context.md",
        Priority = TaskPriority.Normal,
        Prompt = string.Empty,
    };
}
