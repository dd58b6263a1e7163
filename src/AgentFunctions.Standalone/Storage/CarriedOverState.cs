using System.Globalization;
using AgentFunctions.Standalone.Engine;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// Reads, at start, what used to live only in memory and now outlives a restart: leases whose task was canceled (so
/// their worker still learns it) and the per-role counters behind <c>/api/metrics</c>.
/// </summary>
public sealed class CarriedOverState(TaskDatabase database)
{
    /// <summary>
    /// The canceled leases still worth remembering (until 5 minutes past their expiry, as in memory), as withdrawn
    /// work items; older rows are deleted. Runs before the journal starts, so nothing else writes meanwhile.
    /// </summary>
    public List<WorkItem> LoadCanceledLeases(DateTimeOffset now, TimeSpan keptAfterExpiry)
    {
        using var connection = database.Open();
        using (var prune = connection.CreateCommand())
        {
            prune.CommandText = "DELETE FROM canceled_leases WHERE lease_expires_at < $before";
            prune.Parameters.AddWithValue("$before", (now - keptAfterExpiry).ToUnixTimeMilliseconds());
            prune.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT lease_id, task_id, role, attempt, worker_id, lease_expires_at FROM canceled_leases";
        using var reader = command.ExecuteReader();
        var items = new List<WorkItem>();
        while (reader.Read())
        {
            var expires = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5));
            items.Add(new WorkItem(reader.GetString(1), WorkKind.Attempt, reader.GetString(2), reader.GetInt32(3), expires, default, expires)
            {
                LeaseId = reader.GetString(0),
                WorkerId = reader.IsDBNull(4) ? null : reader.GetString(4),
                LeaseExpiresAt = expires,
                Canceled = true,
                Removed = true,
                Dirty = false,
            });
        }

        return items;
    }

    public List<RoleCounters> LoadRoleCounters()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT role, succeeded, failed, dead_lettered, latency_count, latency_sum_ms, input_tokens, output_tokens, cost_usd FROM role_counters";
        using var reader = command.ExecuteReader();
        var counters = new List<RoleCounters>();
        while (reader.Read())
        {
            counters.Add(new RoleCounters(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                reader.GetDouble(5),
                reader.GetInt64(6),
                reader.GetInt64(7),
                decimal.Parse(reader.GetString(8), NumberStyles.Number, CultureInfo.InvariantCulture)));
        }

        return counters;
    }
}
