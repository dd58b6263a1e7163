using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.History;

namespace AgentFunctions.Api.Engine;

/// <summary>What the API needs from an engine about a task's past: its history, and the same as Durable history events.</summary>
public interface ITaskHistory
{
    /// <summary>
    /// Up to <paramref name="top"/> events of a task's history in order, after <paramref name="continuationToken"/>
    /// (see <see cref="HistoryPaging"/>); null when there is no such task.
    /// </summary>
    /// <exception cref="ArgumentException">The continuation token is not valid.</exception>
    Task<Page<TaskHistoryEvent>?> GetHistoryAsync(string taskId, int top, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>The task's history as the Durable HTTP API's <c>historyEvents</c>; null when there is no such task.</summary>
    Task<IReadOnlyList<DurableHistoryEvent>?> GetDurableHistoryAsync(string taskId, CancellationToken cancellationToken);
}
