using System.Text.Json;
using AgentFunctions.Core.Json;

namespace AgentFunctions.Core.History;

/// <summary>
/// A task history in the shape of the Durable Functions HTTP API's <c>historyEvents</c>, for a host without a Durable
/// history of its own (the Standalone server's journal): the task starts as <c>ExecutionStarted</c>, each attempt is an
/// activity (<c>TaskCompleted</c> or <c>TaskFailed</c> of <see cref="AttemptFunctionName"/>, with its scheduled time),
/// decisions are <c>EventRaised</c>, timers <c>TimerFired</c>, the end <c>ExecutionCompleted</c>.
/// </summary>
public static class DurableHistory
{
    /// <summary>The activity that runs an attempt in the Functions app.</summary>
    public const string AttemptFunctionName = "RunRoleAttempt";

    public static IReadOnlyList<DurableHistoryEvent> FromTaskHistory(IEnumerable<TaskHistoryEvent> history, string orchestrationName, Func<string, string> runtimeStatusOfState)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(runtimeStatusOfState);
        var started = new Dictionary<(string Role, int Attempt), DateTimeOffset>();
        var events = new List<DurableHistoryEvent>();
        foreach (var item in history)
        {
            switch (item.Type)
            {
                case TaskHistoryTypes.Submitted:
                    events.Add(new DurableHistoryEvent { EventType = "ExecutionStarted", Timestamp = item.At, FunctionName = orchestrationName });
                    break;
                case TaskHistoryTypes.AttemptStarted when item.Role is not null && item.Attempt is { } attempt:
                    started[(item.Role, attempt)] = item.At;
                    break;
                case TaskHistoryTypes.AttemptEnded when item.Role is not null && item.Attempt is { } attempt:
                    var scheduled = started.TryGetValue((item.Role, attempt), out var at) ? at : item.At;
                    var result = Json(new { role = item.Role, attempt, kind = item.Kind, actor = item.Actor, summary = item.Detail });
                    events.Add(item.Kind is "succeeded" or "needs_approval"
                        ? new DurableHistoryEvent { EventType = "TaskCompleted", Timestamp = item.At, FunctionName = AttemptFunctionName, ScheduledTime = scheduled, Result = result }
                        : new DurableHistoryEvent { EventType = "TaskFailed", Timestamp = item.At, FunctionName = AttemptFunctionName, ScheduledTime = scheduled, Reason = item.Detail, Details = $"role '{item.Role}' attempt {attempt} failed ({item.Kind})" });
                    break;
                case TaskHistoryTypes.Approval:
                    events.Add(new DurableHistoryEvent { EventType = "EventRaised", Timestamp = item.At, Name = "approval", Input = Json(new { decision = item.Decision, by = item.Actor, note = item.Detail, role = item.Role }) });
                    break;
                case TaskHistoryTypes.Cancel:
                    events.Add(new DurableHistoryEvent { EventType = "EventRaised", Timestamp = item.At, Name = "cancel", Input = Json(new { by = item.Actor, reason = item.Detail }) });
                    break;
                case TaskHistoryTypes.Deadline or TaskHistoryTypes.ApprovalTimeout:
                    events.Add(new DurableHistoryEvent { EventType = "TimerFired", Timestamp = item.At, FireAt = item.At });
                    break;
                case TaskHistoryTypes.CircuitHeld or TaskHistoryTypes.CircuitReleased:
                    events.Add(new DurableHistoryEvent { EventType = "GenericEvent", Timestamp = item.At, Name = item.Type, Input = Json(new { role = item.Role, attempt = item.Attempt, until = item.Until }) });
                    break;
                case TaskHistoryTypes.Outcome when item.State is not null:
                    events.Add(new DurableHistoryEvent
                    {
                        EventType = "ExecutionCompleted",
                        Timestamp = item.At,
                        OrchestrationStatus = runtimeStatusOfState(item.State),
                        Result = Json(new { state = item.State, reason = item.Detail, by = item.Actor }),
                    });
                    break;
            }
        }

        return events;
    }

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value, CoreJson.Options);
}
