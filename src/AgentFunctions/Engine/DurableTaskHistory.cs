using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.History;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Hosting;
using AgentFunctions.Orchestration;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Engine;

/// <summary>
/// A task's history in the Functions app: the Durable history of its orchestration instance, read with the
/// durabletask-dotnet client's <c>GetOrchestrationHistoryAsync</c> (served by the Functions host's gRPC endpoint), read
/// back as the decider events it stands for and listed as <see cref="TaskHistoryEvent"/>s by the same
/// <see cref="TaskHistory"/> mapping as the Standalone journal: the start, each attempt activity scheduled and ended
/// (or held by the circuit breaker), approval and cancel events, what the remote role's sub-orchestration reported,
/// the deadline's timer, and the outcome. The Durable history keeps activities' outputs but not their inputs, so
/// attempts are named by their outcomes (<see cref="RoleAttemptOutcome"/> carries its role and attempt); an attempt
/// activity that failed outright (its storage was down) is not listed. <c>showHistory=true</c> gets the Durable events themselves, in the shape of
/// the Durable Functions HTTP API.
/// </summary>
public sealed class DurableTaskHistory(DurableClientAccessor clients) : ITaskHistory
{
    public async Task<Core.Contracts.Page<TaskHistoryEvent>?> GetHistoryAsync(string taskId, int top, string? continuationToken, CancellationToken cancellationToken)
    {
        HistoryPaging.Decode(continuationToken);
        if (await ReadAsync(taskId, cancellationToken) is not { } read)
        {
            return null;
        }

        return HistoryPaging.PageOf(ToTaskHistory(read.Snapshot.View, read.Snapshot.Spec, read.Events), top, continuationToken);
    }

    public async Task<IReadOnlyList<DurableHistoryEvent>?> GetDurableHistoryAsync(string taskId, CancellationToken cancellationToken) =>
        await ReadAsync(taskId, cancellationToken) is { } read ? ToDurableEvents(read.Events) : null;

    /// <summary>The task history of a task orchestration's Durable history.</summary>
    public static List<TaskHistoryEvent> ToTaskHistory(TaskView view, TaskSpec spec, IList<HistoryEvent> events)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(events);
        var mapper = new TaskHistory(spec);
        var scheduled = new Dictionary<int, (string Name, string? Input)>();
        var subRoles = new Dictionary<int, string>();
        var completions = events.OfType<TaskCompletedEvent>().ToDictionary(e => e.TaskScheduledId, e => e.Result);
        var history = new List<TaskHistoryEvent>();
        for (var i = 0; i < events.Count; i++)
        {
            var seq = i + 1L;
            var e = events[i];
            var at = new DateTimeOffset(DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc));
            if (e is ExecutionStartedEvent)
            {
                history.Add(TaskHistory.Submitted(seq, at, spec, view.TraceId));
                continue;
            }

            foreach (var decided in DeciderEvents(e, view, scheduled, subRoles, completions))
            {
                if (mapper.Map(seq, at, decided) is { } item)
                {
                    history.Add(item);
                }
            }
        }

        if (view.Outcome is { } outcome)
        {
            history.Add(TaskHistory.Outcome(history.Count == 0 ? 1 : history[^1].Seq + 1, new Core.Workflow.TaskOutcome
            {
                State = outcome.State,
                Reason = outcome.Reason,
                By = outcome.By,
                At = outcome.At,
                ResultRef = outcome.ResultRef,
            }));
        }

        return history;
    }

    /// <summary>The Durable events as the Durable Functions HTTP API lists them (<c>historyEvents</c>).</summary>
    public static List<DurableHistoryEvent> ToDurableEvents(IList<HistoryEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var scheduled = new Dictionary<int, (string? Name, DateTimeOffset At)>();
        var list = new List<DurableHistoryEvent>();
        foreach (var e in events)
        {
            var at = new DateTimeOffset(DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc));
            var item = new DurableHistoryEvent { EventType = e.EventType.ToString(), Timestamp = at };
            switch (e)
            {
                case OrchestratorStartedEvent or OrchestratorCompletedEvent or TimerCreatedEvent:
                    continue;
                case TaskScheduledEvent s:
                    scheduled[s.EventId] = (s.Name, at);
                    continue;
                case SubOrchestrationInstanceCreatedEvent c:
                    scheduled[c.EventId] = (c.Name, at);
                    continue;
                case ExecutionStartedEvent s:
                    list.Add(item with { FunctionName = s.Name, Input = Json(s.Input) });
                    break;
                case TaskCompletedEvent c:
                    list.Add(item with { FunctionName = scheduled.GetValueOrDefault(c.TaskScheduledId).Name, ScheduledTime = ScheduledAt(scheduled, c.TaskScheduledId), Result = Json(c.Result) });
                    break;
                case TaskFailedEvent f:
                    list.Add(item with { FunctionName = scheduled.GetValueOrDefault(f.TaskScheduledId).Name, ScheduledTime = ScheduledAt(scheduled, f.TaskScheduledId), Reason = f.FailureDetails?.ErrorMessage ?? f.Reason, Details = f.FailureDetails?.ErrorType ?? f.Details });
                    break;
                case SubOrchestrationInstanceCompletedEvent c:
                    list.Add(item with { FunctionName = scheduled.GetValueOrDefault(c.TaskScheduledId).Name, ScheduledTime = ScheduledAt(scheduled, c.TaskScheduledId), Result = Json(c.Result) });
                    break;
                case SubOrchestrationInstanceFailedEvent f:
                    list.Add(item with { FunctionName = scheduled.GetValueOrDefault(f.TaskScheduledId).Name, ScheduledTime = ScheduledAt(scheduled, f.TaskScheduledId), Reason = f.FailureDetails?.ErrorMessage ?? f.Reason, Details = f.FailureDetails?.ErrorType ?? f.Details });
                    break;
                case EventRaisedEvent r:
                    list.Add(item with { Name = r.Name, Input = Json(r.Input) });
                    break;
                case TimerFiredEvent t:
                    list.Add(item with { FireAt = new DateTimeOffset(DateTime.SpecifyKind(t.FireAt, DateTimeKind.Utc)) });
                    break;
                case ExecutionCompletedEvent c:
                    list.Add(item with { OrchestrationStatus = c.OrchestrationStatus.ToString(), Result = Json(c.Result), Reason = c.FailureDetails?.ErrorMessage });
                    break;
                case ExecutionTerminatedEvent t:
                    list.Add(item with { Input = Json(t.Input) });
                    break;
                default:
                    list.Add(item);
                    break;
            }
        }

        return list;
    }

    /// <summary>The decider events a Durable event stands for (none for bookkeeping the history does not list).</summary>
    private static IEnumerable<WorkflowEvent> DeciderEvents(
        HistoryEvent e, TaskView view, Dictionary<int, (string Name, string? Input)> scheduled, Dictionary<int, string> subRoles, Dictionary<int, string> completions)
    {
        switch (e)
        {
            case TaskScheduledEvent s when s.Name is { } name:
                // The history keeps an activity's output, not its input: the attempt is named by its outcome.
                scheduled[s.EventId] = (name, s.Input);
                if (name == OrchestrationNames.RunRoleAttempt && completions.TryGetValue(s.EventId, out var done)
                    && Read<RoleAttemptOutcome>(done) is { Role: { } startedRole, HeldUntil: null } started)
                {
                    yield return new RoleAttemptStarted(startedRole, started.Attempt);
                }

                break;
            case TaskCompletedEvent c when scheduled.TryGetValue(c.TaskScheduledId, out var task):
                if (task.Name == OrchestrationNames.RunRoleAttempt && Read<RoleAttemptOutcome>(c.Result) is { Role: { } role } outcome)
                {
                    var attempt = outcome.Attempt;
                    if (outcome.HeldUntil is { } until)
                    {
                        yield return new RoleCircuitHeld(role, attempt, until);
                    }
                    else if (outcome.Failure is { } kind)
                    {
                        yield return new RoleAttemptFailed(role, attempt, kind, outcome.Error ?? "the attempt failed");
                    }
                    else if (outcome.Result is { } result)
                    {
                        yield return outcome.NeedsApproval ? new RoleNeedsApproval(role, attempt, result) : new RoleSucceeded(role, attempt, result);
                    }
                }
                else if (task.Name == OrchestrationNames.AdmitAttempt && Read<AttemptAdmission>(c.Result) is { Role: { } asked } admission)
                {
                    yield return admission is { Verdict: CircuitVerdict.Held, HeldUntil: { } heldUntil }
                        ? new RoleCircuitHeld(asked, admission.Attempt, heldUntil)
                        : new RoleCircuitReleased(asked);
                }

                break;
            case SubOrchestrationInstanceCreatedEvent c when c.InstanceId is { } instance && instance.LastIndexOf(':') is > 0 and var colon:
                subRoles[c.EventId] = instance[(colon + 1)..];
                break;
            case SubOrchestrationInstanceCompletedEvent c when subRoles.TryGetValue(c.TaskScheduledId, out var remoteRole) && Read<RemoteRoleOutcome>(c.Result) is { } remote:
                switch (remote)
                {
                    case { Kind: RemoteOutcomeKind.Succeeded, Result: { } result }:
                        yield return remote.NeedsApproval ? new RoleNeedsApproval(remoteRole, remote.Attempts, result) : new RoleSucceeded(remoteRole, remote.Attempts, result);
                        break;
                    case { Kind: RemoteOutcomeKind.Failed }:
                        yield return new RoleFailedFinally(remoteRole, remote.Attempts, remote.Failures.TakeLast(1).ToList());
                        break;
                }

                break;
            case SubOrchestrationInstanceFailedEvent f when subRoles.TryGetValue(f.TaskScheduledId, out var brokenRole):
                yield return new RoleFailedFinally(brokenRole, 0, [new AttemptFailure(1, new DateTimeOffset(DateTime.SpecifyKind(f.Timestamp, DateTimeKind.Utc)), FailureKind.Transient, f.FailureDetails?.ErrorMessage ?? f.Reason ?? "the remote role's orchestration failed")]);
                break;
            case EventRaisedEvent r when Parse(r.Input) is { } payload:
                switch (r.Name)
                {
                    case OrchestrationEvents.Approval when ExternalEventParser.ParseApproval(payload) is { } approval:
                        yield return approval;
                        break;
                    case OrchestrationEvents.Cancel:
                        yield return ExternalEventParser.ParseCancel(payload);
                        break;
                    case OrchestrationEvents.RemoteAttempt when ExternalEventParser.ParseRemoteAttempt(payload) is { } attempt:
                        yield return attempt.ToWorkflowEvent();
                        break;
                }

                break;
            case TimerFiredEvent t when view.DeadlineAt is { } deadline
                && Math.Abs((new DateTimeOffset(DateTime.SpecifyKind(t.FireAt, DateTimeKind.Utc)) - deadline).TotalMilliseconds) < 1:
                yield return new DeadlineReached();
                break;
        }
    }

    private async Task<(Api.Engine.TaskSnapshot Snapshot, IList<HistoryEvent> Events)?> ReadAsync(string taskId, CancellationToken cancellationToken)
    {
        var client = clients.Current;
        var instance = await client.GetInstanceAsync(taskId, getInputsAndOutputs: true, cancellationToken);
        if (instance is null || TaskSnapshots.From(instance) is not { } snapshot)
        {
            return null;
        }

        var events = await client.GetOrchestrationHistoryAsync(taskId, cancellationToken);
        return (snapshot, events);
    }

    private static DateTimeOffset? ScheduledAt(Dictionary<int, (string? Name, DateTimeOffset At)> scheduled, int id) =>
        scheduled.TryGetValue(id, out var task) ? task.At : null;

    private static T? Read<T>(string? json)
    {
        try
        {
            return json is null ? default : JsonSerializer.Deserialize<T>(json, CoreJson.Options);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static JsonElement? Parse(string? json)
    {
        try
        {
            return json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A payload as JSON, or as a JSON string when it is not JSON.</summary>
    private static JsonElement? Json(string? text) => text is null ? null : Parse(text) ?? JsonSerializer.SerializeToElement(text);
}
