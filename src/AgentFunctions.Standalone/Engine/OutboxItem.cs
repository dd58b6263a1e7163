namespace AgentFunctions.Standalone.Engine;

/// <summary>A file write promised by a commit and carried out after it (result.json, a dead letter, ...).</summary>
public sealed record OutboxItem(long Id, string TaskId, string Kind, string Payload)
{
    /// <summary>The payload as an object, when the item was made in this process (saves parsing it back).</summary>
    public object? Value { get; init; }
}
