using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Http;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.History;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Standalone.Storage;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// A task's history from the journal: the <c>task_events</c> rows every commit writes (the start, then each decider
/// event that changed the task, numbered by the version it made), read back as <see cref="TaskHistoryEvent"/>s, and
/// the task's outcome once it has ended. The same list, shaped as Durable history events, serves
/// <c>showHistory=true</c> on the Durable status route.
/// </summary>
public sealed class StandaloneTaskHistory(TaskReader reader, ActiveTasks active) : ITaskHistory
{
    private const string TaskStarted = """{"event":"task_started"}""";

    public Task<Page<TaskHistoryEvent>?> GetHistoryAsync(string taskId, int top, string? continuationToken, CancellationToken cancellationToken)
    {
        HistoryPaging.Decode(continuationToken);
        var history = Read(taskId);
        return Task.FromResult(history is null ? null : HistoryPaging.PageOf(history, top, continuationToken));
    }

    public Task<IReadOnlyList<DurableHistoryEvent>?> GetDurableHistoryAsync(string taskId, CancellationToken cancellationToken)
    {
        var history = Read(taskId);
        return Task.FromResult(history is null
            ? null
            : DurableHistory.FromTaskHistory(history, ApiRoutes.OrchestrationName, state => DurableEndpoints.RuntimeStatusOf(Names.TryParse<AgentTaskStatus>(state, out var status) ? status : AgentTaskStatus.Failed)));
    }

    /// <summary>The whole history of a task (a few rows per attempt), or null when there is no such task.</summary>
    private List<TaskHistoryEvent>? Read(string taskId)
    {
        var state = active.Find(taskId) ?? reader.GetTask(taskId);
        if (state is null)
        {
            return null;
        }

        var mapper = new TaskHistory(state.Spec);
        var history = new List<TaskHistoryEvent>();
        foreach (var (seq, at, json) in reader.GetHistory(taskId))
        {
            if (json == TaskStarted)
            {
                history.Add(TaskHistory.Submitted(seq, at, state.Spec, state.Trace?.TraceId));
                continue;
            }

            WorkflowEvent? recorded;
            try
            {
                recorded = JsonSerializer.Deserialize<WorkflowEvent>(json, CoreJson.Options);
            }
            catch (JsonException)
            {
                recorded = null; // a row from a newer build: left out rather than failing the whole history
            }

            if (recorded is not null && mapper.Map(seq, at, recorded) is { } item)
            {
                history.Add(item);
            }
        }

        if (state.Outcome is { } outcome)
        {
            history.Add(TaskHistory.Outcome(history.Count == 0 ? 1 : history[^1].Seq + 1, outcome));
        }

        return history;
    }
}
