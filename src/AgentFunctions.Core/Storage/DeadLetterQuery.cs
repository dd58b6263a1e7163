namespace AgentFunctions.Core.Storage;

/// <summary>A page request; <see cref="ContinuationToken"/> comes from the previous page.</summary>
public sealed record DeadLetterQuery(int Top = 50, string? ContinuationToken = null, string? TaskId = null, string? Role = null)
{
    /// <summary>Whether <paramref name="record"/> passes the task and role filters.</summary>
    public bool Matches(DeadLetterRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (string.IsNullOrEmpty(TaskId) || string.Equals(record.TaskId, TaskId, StringComparison.Ordinal))
            && (string.IsNullOrEmpty(Role) || string.Equals(record.Role, Role, StringComparison.Ordinal));
    }
}
