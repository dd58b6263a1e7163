using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Engine;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Storage;

/// <summary>Reads committed data; each call uses its own pooled connection (WAL lets readers run beside the writer).</summary>
public sealed class TaskReader(TaskDatabase database)
{
    public TaskState? GetTask(string id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, context FROM tasks WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadState(reader, 0, 1) : null;
    }

    /// <summary>A page of tasks, newest first; the token is the position after the last one returned.</summary>
    public (List<TaskState> Items, string? ContinuationToken) ListTasks(AgentTaskStatus? status, string? role, string? type, int top, string? continuationToken)
    {
        var (afterCreated, afterId) = DecodeToken(continuationToken);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        var where = new List<string>();
        if (status is { } s)
        {
            where.Add("status = $status");
            command.Parameters.AddWithValue("$status", Names.Of(s));
        }

        if (role is not null)
        {
            where.Add("roles LIKE $role");
            command.Parameters.AddWithValue("$role", "%," + role + ",%");
        }

        if (type is not null)
        {
            // The type lives only in the stored state (every spec has one: the validator fills in the default).
            where.Add("json_extract(state, '$.spec.type') = $type");
            command.Parameters.AddWithValue("$type", type);
        }

        if (afterId is not null)
        {
            where.Add("(created_at < $created OR (created_at = $created AND id < $id))");
            command.Parameters.AddWithValue("$created", afterCreated);
            command.Parameters.AddWithValue("$id", afterId);
        }

        command.CommandText = $"""
            SELECT state, context, created_at, id FROM tasks
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : string.Empty)}
            ORDER BY created_at DESC, id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$limit", top + 1);
        var items = new List<TaskState>();
        (long Created, string Id) last = (0, string.Empty);
        var more = false;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (items.Count == top)
            {
                more = true;
                break;
            }

            items.Add(ReadState(reader, 0, 1));
            last = (reader.GetInt64(2), reader.GetString(3));
        }

        return (items, more ? EncodeToken(last.Created, last.Id) : null);
    }

    /// <summary>Every unfinished task with its work rows, for recovery at start.</summary>
    public List<(TaskState State, string? Context, string SpecHash)> LoadActive()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, context, spec_hash FROM tasks WHERE terminal = 0";
        using var reader = command.ExecuteReader();
        var result = new List<(TaskState, string?, string)>();
        while (reader.Read())
        {
            result.Add((ReadState(reader, 0, 1), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2)));
        }

        return result;
    }

    public List<WorkItem> LoadWork()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT task_id, kind, role, attempt, due_at, priority, created_at, lease_id, lease_expires_at, worker_id, lease_ms FROM work ORDER BY created_at";
        using var reader = command.ExecuteReader();
        var items = new List<WorkItem>();
        while (reader.Read())
        {
            items.Add(new WorkItem(
                reader.GetString(0),
                (WorkKind)reader.GetInt32(1),
                reader.GetString(2),
                reader.GetInt32(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                (TaskPriority)reader.GetInt32(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)))
            {
                LeaseId = reader.IsDBNull(7) ? null : reader.GetString(7),
                LeaseExpiresAt = reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                WorkerId = reader.IsDBNull(9) ? null : reader.GetString(9),
                LeaseDuration = reader.IsDBNull(10) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(10)),
                Dirty = false,
            });
        }

        return items;
    }

    public List<OutboxItem> LoadOutbox()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, task_id, kind, payload FROM outbox ORDER BY id";
        using var reader = command.ExecuteReader();
        var items = new List<OutboxItem>();
        while (reader.Read())
        {
            items.Add(new OutboxItem(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return items;
    }

    public Dictionary<string, long> CountByStatus()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, COUNT(*) FROM tasks GROUP BY status";
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>The persisted circuit breakers, by role.</summary>
    public List<(string Role, string Json)> LoadCircuits()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT role, state FROM circuits";
        using var reader = command.ExecuteReader();
        var circuits = new List<(string, string)>();
        while (reader.Read())
        {
            circuits.Add((reader.GetString(0), reader.GetString(1)));
        }

        return circuits;
    }

    /// <summary>The applied events of a task, oldest first (its history), without the progress reports of heartbeats.</summary>
    public List<(long Seq, DateTimeOffset At, string Event)> GetHistory(string id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, at, event FROM task_events
            WHERE task_id = $id AND event NOT LIKE '{"event":"role_progress_reported"%'
            ORDER BY seq
            """;
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        var events = new List<(long, DateTimeOffset, string)>();
        while (reader.Read())
        {
            events.Add((reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2)));
        }

        return events;
    }

    private static TaskState ReadState(SqliteDataReader reader, int stateColumn, int contextColumn)
    {
        var state = JsonSerializer.Deserialize<TaskState>(reader.GetString(stateColumn), CoreJson.Options)!;
        return TaskEntry.WithContext(state, reader.IsDBNull(contextColumn) ? null : reader.GetString(contextColumn));
    }

    private static string EncodeToken(long created, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(created.ToString(CultureInfo.InvariantCulture) + "|" + id)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (long Created, string? Id) DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (0, null);
        }

        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.Integer, CultureInfo.InvariantCulture, out var created) && Identifiers.IsValidTaskId(text[(bar + 1)..]))
            {
                return (created, text[(bar + 1)..]);
            }
        }
        catch (FormatException)
        {
        }

        throw ContinuationTokens.Invalid();
    }
}
