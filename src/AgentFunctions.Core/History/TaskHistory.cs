using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Core.History;

/// <summary>
/// Turns what an engine recorded of a task (the Standalone journal's decider events, or what the Functions app reads
/// from the Durable history) into the history the API lists: one <see cref="TaskHistoryEvent"/> per step that matters
/// (progress reports are left out), the actor of an attempt's end being the worker that started it.
/// </summary>
public sealed class TaskHistory(TaskSpec spec)
{
    private readonly Dictionary<string, string> _workers = new(StringComparer.Ordinal);

    public static TaskHistoryEvent Submitted(long seq, DateTimeOffset at, TaskSpec spec, string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new TaskHistoryEvent { Seq = seq, At = at, Type = TaskHistoryTypes.Submitted, Actor = string.IsNullOrWhiteSpace(spec.From) ? TaskHistoryTypes.ApiActor : spec.From, TraceId = traceId };
    }

    /// <summary>The closing event of a finished task, from its outcome.</summary>
    public static TaskHistoryEvent Outcome(long seq, TaskOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new TaskHistoryEvent
        {
            Seq = seq,
            At = outcome.At,
            Type = TaskHistoryTypes.Outcome,
            Actor = outcome.By ?? TaskHistoryTypes.EngineActor,
            State = Names.Of(outcome.State),
            Detail = outcome.Reason,
        };
    }

    /// <summary>The history event for a decider event applied at <paramref name="at"/>, or null for one not listed (progress).</summary>
    public TaskHistoryEvent? Map(long seq, DateTimeOffset at, WorkflowEvent workflowEvent)
    {
        ArgumentNullException.ThrowIfNull(workflowEvent);
        var item = new TaskHistoryEvent { Seq = seq, At = at, Type = string.Empty, Actor = TaskHistoryTypes.EngineActor };
        switch (workflowEvent)
        {
            case RoleAttemptStarted e:
                if (e.Worker is { } worker)
                {
                    _workers[e.Role] = worker;
                }
                else
                {
                    _workers.Remove(e.Role);
                }

                return item with { Type = TaskHistoryTypes.AttemptStarted, Actor = WorkerOf(e.Role), Role = e.Role, Attempt = e.Attempt };
            case RoleAttemptReturned e:
                return item with { Type = TaskHistoryTypes.AttemptReturned, Actor = WorkerOf(e.Role), Role = e.Role, Attempt = e.Attempt, Detail = "handed back unfinished: it waits for the next worker, uncounted" };
            case RoleSucceeded e:
                return Ended(item, e.Role, e.Attempt, "succeeded", e.Result.Summary);
            case RoleNeedsApproval e:
                return Ended(item, e.Role, e.Attempt, "needs_approval", e.Result.Summary);
            case RoleAttemptFailed e:
                return Ended(item, e.Role, e.Attempt, Names.Of(e.Kind), e.Message);
            case RoleFailedFinally e:
                var last = e.Failures.Count > 0 ? e.Failures[^1] : null;
                return Ended(item, e.Role, e.Attempts, Names.Of(last?.Kind ?? FailureKind.Transient), last?.Message);
            case ApprovalDecided e:
                return item with { Type = TaskHistoryTypes.Approval, Actor = e.By ?? "unknown", Role = e.Role, Decision = Names.Of(e.Decision), Detail = e.Note };
            case CancelRequested e:
                return item with { Type = TaskHistoryTypes.Cancel, Actor = e.By ?? "unknown", Detail = e.Reason };
            case DeadlineReached:
                return item with { Type = TaskHistoryTypes.Deadline, Actor = TaskHistoryTypes.TimerActor, Detail = spec.TtlSeconds is { } ttl ? $"ttlSeconds {ttl} passed" : null };
            case ApprovalTimedOut e:
                return item with { Type = TaskHistoryTypes.ApprovalTimeout, Actor = TaskHistoryTypes.TimerActor, Role = e.Role };
            case RoleCircuitHeld e:
                return item with { Type = TaskHistoryTypes.CircuitHeld, Actor = TaskHistoryTypes.CircuitBreakerActor, Role = e.Role, Attempt = e.Attempt, Until = e.Until, Detail = $"the circuit breaker of role '{e.Role}' is open: the attempt waits, uncounted" };
            case RoleCircuitReleased e:
                return item with { Type = TaskHistoryTypes.CircuitReleased, Actor = TaskHistoryTypes.CircuitBreakerActor, Role = e.Role, Detail = $"the circuit breaker of role '{e.Role}' lets the attempt run" };
            default:
                return null;
        }
    }

    private TaskHistoryEvent Ended(TaskHistoryEvent item, string role, int attempt, string kind, string? detail) =>
        item with { Type = TaskHistoryTypes.AttemptEnded, Actor = WorkerOf(role), Role = role, Attempt = attempt, Kind = kind, Detail = detail };

    private string WorkerOf(string role) => _workers.GetValueOrDefault(role) ?? TaskHistoryTypes.EngineActor;
}
