namespace AgentFunctions.Core.Storage;

/// <summary>Dead-letter records (container <c>dead-letter</c> in Azure, a folder on disk).</summary>
public interface IDeadLetterStore
{
    /// <summary>Stores a new record; false when one with the same id exists (a re-run of the same write).</summary>
    Task<bool> TryCreateAsync(DeadLetterRecord record, CancellationToken cancellationToken);

    Task<DeadLetterRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces an existing record (e.g. to link its replay); false when it is gone.</summary>
    Task<bool> ReplaceAsync(DeadLetterRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Links the record to its replay <paramref name="taskId"/> unless it is linked already, atomically against other
    /// callers: true for the one call that linked it; false when it was linked before (to any task) or is gone.
    /// </summary>
    Task<bool> TryLinkReplayAsync(string id, string taskId, DateTimeOffset at, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Records ordered by id, a page at a time.</summary>
    Task<DeadLetterPage> ListAsync(DeadLetterQuery query, CancellationToken cancellationToken);
}
