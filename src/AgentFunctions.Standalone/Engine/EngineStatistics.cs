using System.Collections.Concurrent;

namespace AgentFunctions.Standalone.Engine;

/// <summary>Counters behind <c>/api/metrics</c>: per-role statistics and task outcomes.</summary>
public sealed class EngineStatistics(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RoleStatistics> _roles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _finished = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string WorkerId, string Role), DateTimeOffset> _workers = new();

    public RoleStatistics For(string role) => _roles.GetOrAdd(role, _ => new RoleStatistics(time));

    public IReadOnlyDictionary<string, RoleStatistics> Roles => _roles;

    /// <summary>Tasks that ended, by state name (seeded from the database at start).</summary>
    public IReadOnlyDictionary<string, long> Finished => _finished;

    public IEnumerable<(string WorkerId, string Role, DateTimeOffset LastSeen)> Workers =>
        _workers.Select(w => (w.Key.WorkerId, w.Key.Role, w.Value));

    public void Seed(string state, long count) => _finished[state] = count;

    public void RecordFinished(string state) => _finished.AddOrUpdate(state, 1, (_, n) => n + 1);

    public void SeenWorker(string? workerId, string role, DateTimeOffset at) => _workers[(workerId ?? "anonymous", role)] = at;
}
