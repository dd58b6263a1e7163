using System.Collections.Concurrent;
using AgentFunctions.Core.Storage;

namespace AgentFunctions.Tests.Support;

/// <summary>An <see cref="IDeadLetterStore"/> in a dictionary.</summary>
internal sealed class InMemoryDeadLetterStore : IDeadLetterStore
{
    public ConcurrentDictionary<string, DeadLetterRecord> Records { get; } = new(StringComparer.Ordinal);

    public Task<bool> TryCreateAsync(DeadLetterRecord record, CancellationToken cancellationToken) =>
        Task.FromResult(Records.TryAdd(DeadLetterId.Require(record.Id), record));

    public Task<DeadLetterRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(Records.GetValueOrDefault(id));

    public Task<bool> ReplaceAsync(DeadLetterRecord record, CancellationToken cancellationToken)
    {
        if (!Records.ContainsKey(record.Id))
        {
            return Task.FromResult(false);
        }

        Records[record.Id] = record;
        return Task.FromResult(true);
    }

    public Task<bool> TryLinkReplayAsync(string id, string taskId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        while (Records.TryGetValue(id, out var record) && record.ReplayedAs is null)
        {
            if (Records.TryUpdate(id, record with { ReplayedAs = taskId, ReplayedAt = at }, record))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => Task.FromResult(Records.TryRemove(id, out _));

    public Task<DeadLetterPage> ListAsync(DeadLetterQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(new DeadLetterPage(Records.Values.OrderBy(r => r.Id, StringComparer.Ordinal).Take(query.Top).ToList(), null));
}
