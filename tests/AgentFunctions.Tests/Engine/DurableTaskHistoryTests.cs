using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Engine;
using AgentFunctions.Orchestration;
using DurableTask.Core.History;

namespace AgentFunctions.Tests.Engine;

/// <summary>The task history the Functions app reads out of a task orchestration's Durable history.</summary>
public sealed class DurableTaskHistoryTests
{
    private static readonly DateTime T0 = new(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Attempts_held_attempts_and_decisions_of_the_durable_history_become_task_history_events()
    {
        var spec = new TaskSpec { Id = "t1", From = "lead", To = ["impl"], Instructions = "x" };
        var state = WorkflowDecider.Start(new TaskPlan { Spec = spec, Roles = [new RolePlan("impl", Core.Retries.RetrySchedule.Default, false)], ApprovalTimeout = TimeSpan.FromHours(1) }, T0).State;
        // As the runtime keeps them: activities without their inputs, the outcomes naming their attempt.
        var events = new List<HistoryEvent>
        {
            At(new OrchestratorStartedEvent(-1), 0),
            At(new ExecutionStartedEvent(-1, "{}") { Name = OrchestrationNames.AgentTask }, 0),
            At(new TaskScheduledEvent(0, OrchestrationNames.RunRoleAttempt), 1),
            At(new TaskCompletedEvent(-1, 0, Json(new RoleAttemptOutcome(null, false) { Role = "impl", Attempt = 1, Failure = Core.Retries.FailureKind.Transient, Error = "exit 1" })), 2),
            At(new TaskScheduledEvent(1, OrchestrationNames.RunRoleAttempt), 3),
            At(new TaskCompletedEvent(-1, 1, Json(new RoleAttemptOutcome(null, false, new DateTimeOffset(T0.AddSeconds(30))) { Role = "impl", Attempt = 2 })), 4),
            At(new TaskScheduledEvent(2, OrchestrationNames.AdmitAttempt), 31),
            At(new TaskCompletedEvent(-1, 2, Json(new AttemptAdmission(Core.Resilience.CircuitVerdict.Probe, null) { Role = "impl", Attempt = 2 })), 32),
            At(new TaskScheduledEvent(3, OrchestrationNames.RunRoleAttempt), 33),
            At(new TaskCompletedEvent(-1, 3, Json(new RoleAttemptOutcome(new RoleResult { Summary = "done" }, false) { Role = "impl", Attempt = 2 })), 34),
            At(new EventRaisedEvent(-1, Json(new { by = "ana", reason = "enough" })) { Name = OrchestrationEvents.Cancel }, 35),
        };
        var view = TaskViewProjector.ToView(state);

        var history = DurableTaskHistory.ToTaskHistory(view, spec, events);

        Assert.Equal(["submitted", "attempt_started", "attempt_ended", "circuit_held", "circuit_released", "attempt_started", "attempt_ended", "cancel"], history.Select(h => h.Type));
        Assert.Equal("lead", history[0].Actor);
        Assert.Equal(("transient", "exit 1", 1), (history[2].Kind, history[2].Detail, history[2].Attempt));
        Assert.Equal((2, new DateTimeOffset(T0.AddSeconds(30))), (history[3].Attempt, history[3].Until!.Value));
        Assert.Equal(("succeeded", 2), (history[6].Kind, history[6].Attempt));
        Assert.Equal(("ana", "enough"), (history[7].Actor, history[7].Detail));
        Assert.Equal(history.Select(h => h.Seq).Order(), history.Select(h => h.Seq));

        var durable = DurableTaskHistory.ToDurableEvents(events);
        Assert.Equal(["ExecutionStarted", "TaskCompleted", "TaskCompleted", "TaskCompleted", "TaskCompleted", "EventRaised"], durable.Select(e => e.EventType));
        Assert.Equal((OrchestrationNames.RunRoleAttempt, new DateTimeOffset(T0.AddSeconds(1))), (durable[1].FunctionName, durable[1].ScheduledTime!.Value));
    }

    private static string Json(object value) => JsonSerializer.Serialize(value, CoreJson.Options);

    private static HistoryEvent At(HistoryEvent e, int seconds)
    {
        e.Timestamp = T0.AddSeconds(seconds);
        return e;
    }
}
