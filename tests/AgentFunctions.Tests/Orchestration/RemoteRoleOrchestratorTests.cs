using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;

namespace AgentFunctions.Tests.Orchestration;

public sealed class RemoteRoleOrchestratorTests
{
    private const int TimeoutSeconds = 120;

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
        harness.Fire(harness.OpenTimer(start.AddSeconds(6 + TimeoutSeconds)));

        var outcome = await run;
        Assert.Equal(RemoteOutcomeKind.Failed, outcome.Kind);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal([1, 2, 3], outcome.Failures.Select(f => f.Attempt));
        Assert.Equal(["lease expired", "worker crashed"], outcome.Failures.Take(2).Select(f => f.Message));
        Assert.Contains("no result within 120 s", outcome.Failures[2].Message, StringComparison.Ordinal);
        Assert.Equal(3, harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt).Count());
        Assert.True(harness.NothingOutstanding());
    }

    [Fact]
    public async Task A_permanent_failure_stops_at_once()
    {
        var (harness, run) = Start();

        harness.Raise(OrchestrationEvents.RemoteResult(1), """{ "attempt": 1, "succeeded": false, "kind": "permanent", "error": "bad input" }""");

        var outcome = await run;
        Assert.Equal(RemoteOutcomeKind.Failed, outcome.Kind);
        Assert.Equal(FailureKind.Permanent, Assert.Single(outcome.Failures).Kind);
        Assert.Single(harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt));
    }

    [Fact]
    public async Task The_workers_result_ends_it_with_the_stored_references()
    {
        var (harness, run) = Start();

        harness.Raise(OrchestrationEvents.RemoteResult(1), """{ "attempt": 1, "succeeded": true, "needsApproval": true, "result": { "summary": "ok", "resultRef": "tasks/t1/results/worker.md" } }""");

        var outcome = await run;
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

        Assert.Equal(RemoteOutcomeKind.Canceled, (await run).Kind);
        Assert.Single(harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt));
        Assert.True(harness.NothingOutstanding());
    }

    [Fact]
    public void Custom_status_names_the_attempt_the_lease_api_may_hand_out()
    {
        var (harness, _) = Start();

        var status = Assert.IsType<RemoteAttemptStatus>(harness.Statuses[^1]);
        Assert.Equal(new RemoteAttemptStatus("t1", "worker", 1), status);
    }

    private static void AssertDispatched(OrchestrationHarness harness, int attempt)
    {
        var item = harness.ActivitiesNamed(OrchestrationNames.DispatchRemoteAttempt).Last().InputAs<RemoteWorkItem>();
        Assert.Equal(attempt, item.Attempt);
        Assert.Equal(attempt, item.Input.Attempt);
        Assert.Equal("t1:worker", item.InstanceId);
        Assert.Equal(30, item.LeaseSeconds);
        Assert.Contains($"attempt {attempt} of 3", item.Input.Prompt, StringComparison.Ordinal);
        Assert.Equal(new RemoteAttemptStatus("t1", "worker", attempt), harness.Statuses[^1]);
    }

    private static (OrchestrationHarness Harness, Task<RemoteRoleOutcome> Run) Start()
    {
        var envelope = new AgentAttempt
        {
            TaskId = "t1",
            Role = "worker",
            Attempt = 1,
            MaxAttempts = 3,
            Type = "task",
            Instructions = "Do the work.",
            Priority = TaskPriority.Normal,
            Prompt = string.Empty,
        };
        envelope = envelope with { Prompt = PromptBuilder.Build(envelope) };
        var harness = new OrchestrationHarness(new RemoteRoleRequest(envelope, TestPlans.Schedule, 30, TimeoutSeconds), "t1:worker");
        var dispatched = 0;
        harness.AutoComplete(OrchestrationNames.DispatchRemoteAttempt, _ => $"message-{++dispatched}");
        return (harness, harness.Start(RemoteRoleOrchestrator.RunAsync));
    }
}
