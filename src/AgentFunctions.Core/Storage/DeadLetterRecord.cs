using System.Text.Json;
using System.Text.Json.Serialization;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Storage;

/// <summary>One dead-lettered role of one task, with everything needed to understand and replay it.</summary>
public sealed record DeadLetterRecord
{
    /// <summary>
    /// The role a record of the Functions app's queue intake carries (never a configured role): its task never started,
    /// so the record keeps the whole spec, context included, and a replay submits all of it.
    /// </summary>
    public const string IntakeRole = "intake";

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

    /// <summary>The W3C <c>traceparent</c> of the task whose role this is: its trace shows every attempt that failed.</summary>
    [JsonPropertyName("traceparent")]
    public string? TraceParent { get; init; }

    /// <summary>
    /// Reads a stored record, as both stores keep them: JSON named by its id. Throws <see cref="InvalidDataException"/>
    /// when it is not a record, or claims another id (replay would then mark the wrong record).
    /// </summary>
    public static DeadLetterRecord Deserialize(string id, ReadOnlySpan<byte> json)
    {
        DeadLetterRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<DeadLetterRecord>(json, CoreJson.Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Dead-letter record '{id}' is not a readable record: {ex.Message}", ex);
        }

        if (record is null)
        {
            throw new InvalidDataException($"Dead-letter record '{id}' is empty (JSON null).");
        }

        return string.Equals(record.Id, id, StringComparison.Ordinal)
            ? record
            : throw new InvalidDataException($"Dead-letter record '{id}' is stored under that id but holds a record with id '{record.Id}'.");
    }
}
