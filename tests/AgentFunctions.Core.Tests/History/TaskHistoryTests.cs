using AgentFunctions.Core.History;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Core.Tests.History;

public class TaskHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Decider_events_become_history_events_with_their_actor()
    {
        var spec = new TaskSpec { Id = "t1", From = "lead", To = ["impl"], Instructions = "x", TtlSeconds = 600 };
        var mapper = new TaskHistory(spec);
        var events = new WorkflowEvent[]
        {
            new RoleAttemptStarted("impl", 1, "w-7"),
            new RoleAttemptFailed("impl", 1, FailureKind.Transient, "exit 1"),
            new RoleCircuitHeld("impl", 2, T0.AddSeconds(30)),
            new RoleCircuitReleased("impl"),
            new RoleAttemptStarted("impl", 2),
            new RoleProgressReported("impl", 2, 0.5, "half"),
            new RoleSucceeded("impl", 2, new RoleResult { Summary = "done" }),
            new ApprovalDecided(ApprovalDecision.Approve, "ana", "ok", null),
            new CancelRequested("bo", "stop"),
            new DeadlineReached(),
        };

        var history = new List<TaskHistoryEvent> { TaskHistory.Submitted(0, T0, spec) };
        history.AddRange(events.Select((e, i) => mapper.Map(i + 1, T0.AddSeconds(i + 1), e)).OfType<TaskHistoryEvent>());
        history.Add(TaskHistory.Outcome(history[^1].Seq + 1, new TaskOutcome { State = AgentTaskStatus.Canceled, Reason = "stop", By = "bo", At = T0.AddMinutes(1) }));

        Assert.Equal(
            ["submitted", "attempt_started", "attempt_ended", "circuit_held", "circuit_released", "attempt_started", "attempt_ended", "approval", "cancel", "deadline", "outcome"],
            history.Select(h => h.Type));
        Assert.Equal(["lead", "w-7", "w-7", "circuit-breaker", "circuit-breaker", "engine", "engine", "ana", "bo", "timer", "bo"], history.Select(h => h.Actor));
        Assert.Equal(("transient", "exit 1"), (history[2].Kind, history[2].Detail));
        Assert.Equal(T0.AddSeconds(30), history[3].Until);
        Assert.Equal("succeeded", history[6].Kind);
        Assert.Equal("approve", history[7].Decision);
        Assert.Equal("canceled", history[^1].State);
        Assert.Equal(history.Select(h => h.Seq).Order(), history.Select(h => h.Seq));
    }

    [Fact]
    public void Pages_continue_after_the_last_event_given_and_end_without_a_token()
    {
        var history = Enumerable.Range(1, 5).Select(i => new TaskHistoryEvent { Seq = i * 2, At = T0, Type = "x", Actor = "engine" }).ToList();

        var first = HistoryPaging.PageOf(history, 2, null);
        var second = HistoryPaging.PageOf(history, 2, first.ContinuationToken);
        var last = HistoryPaging.PageOf(history, 2, second.ContinuationToken);

        Assert.Equal([2L, 4], first.Items.Select(i => i.Seq));
        Assert.Equal([6L, 8], second.Items.Select(i => i.Seq));
        Assert.Equal([10L], last.Items.Select(i => i.Seq));
        Assert.Null(last.ContinuationToken);
        Assert.Throws<ArgumentException>(() => HistoryPaging.Decode("not-a-token"));
    }

    [Fact]
    public void The_durable_shape_has_an_activity_per_attempt_events_for_decisions_and_the_completion()
    {
        var items = new List<TaskHistoryEvent>
        {
            new() { Seq = 0, At = T0, Type = TaskHistoryTypes.Submitted, Actor = "api" },
            new() { Seq = 1, At = T0.AddSeconds(1), Type = TaskHistoryTypes.AttemptStarted, Actor = "engine", Role = "impl", Attempt = 1 },
            new() { Seq = 2, At = T0.AddSeconds(2), Type = TaskHistoryTypes.AttemptEnded, Actor = "engine", Role = "impl", Attempt = 1, Kind = "transient", Detail = "boom" },
            new() { Seq = 3, At = T0.AddSeconds(3), Type = TaskHistoryTypes.Approval, Actor = "ana", Decision = "approve" },
            new() { Seq = 4, At = T0.AddSeconds(4), Type = TaskHistoryTypes.Outcome, Actor = "engine", State = "failed", Detail = "dead-lettered: impl" },
        };

        var events = DurableHistory.FromTaskHistory(items, "AgentTaskOrchestrator", state => state == "failed" ? "Failed" : "Completed");

        Assert.Equal(["ExecutionStarted", "TaskFailed", "EventRaised", "ExecutionCompleted"], events.Select(e => e.EventType));
        Assert.Equal(("RunRoleAttempt", T0.AddSeconds(1), "boom"), (events[1].FunctionName, events[1].ScheduledTime, events[1].Reason));
        Assert.Equal("approval", events[2].Name);
        Assert.Equal("Failed", events[3].OrchestrationStatus);
        var json = System.Text.Json.JsonSerializer.Serialize(events[3], Json.CoreJson.Options);
        Assert.Contains("\"EventType\":\"ExecutionCompleted\"", json, StringComparison.Ordinal);
    }
}
