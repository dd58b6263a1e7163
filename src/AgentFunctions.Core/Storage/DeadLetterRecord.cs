using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Storage;

/// <summary>One dead-lettered role of one task, with everything needed to understand and replay it.</summary>
public sealed record DeadLetterRecord
{
    public required string Id { get; init; }

    public required string TaskId { get; init; }

    public required string Role { get; init; }

    public required int Attempts { get; init; }

    public IReadOnlyList<AttemptFailure> Failures { get; init; } = [];

    public required string Reason { get; init; }

    public required DateTimeOffset DeadLetteredAt { get; init; }

    /// <summary>The spec of the task (its context stays in <see cref="SpecRef"/>'s folder).</summary>
    public TaskSpec? Spec { get; init; }

    public string? SpecRef { get; init; }

    /// <summary>The dead letter whose replay produced this task, if any.</summary>
    public string? ReplayOf { get; init; }

    /// <summary>The task that replays this record, once replayed.</summary>
    public string? ReplayedAs { get; init; }

    public DateTimeOffset? ReplayedAt { get; init; }
}
