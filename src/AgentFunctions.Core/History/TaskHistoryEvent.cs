using System.Text.Json.Serialization;

namespace AgentFunctions.Core.History;

/// <summary>
/// One event of a task's history (<c>GET /api/tasks/{id}/history</c>): what happened (<see cref="Type"/>), when, and
/// who did it (<see cref="Actor"/>: the submitter, a worker, an approver, or the engine, timer or circuit breaker).
/// <see cref="Seq"/> orders the events of a task and is what paging continues after.
/// </summary>
public sealed record TaskHistoryEvent
{
    public required long Seq { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>One of <see cref="TaskHistoryTypes"/>.</summary>
    public required string Type { get; init; }

    public required string Actor { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Attempt { get; init; }

    /// <summary>How an attempt ended: succeeded, needs_approval, transient or permanent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; init; }

    /// <summary>The W3C trace id of the task's trace, on the <c>submitted</c> event (where tracing found or started one).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }

    /// <summary>An approval's decision (approve or reject).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Decision { get; init; }

    /// <summary>The task state an outcome ended in.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? State { get; init; }

    /// <summary>Until when the circuit breaker holds the attempt.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Until { get; init; }

    /// <summary>The words that go with it: an error, a note, a reason.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }
}
