using AgentFunctions.Standalone.Engine;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// The single writing connection, with its statements prepared once. Used only by the journal's
/// commit thread, inside one transaction per batch.
/// </summary>
public sealed class TaskWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertTask;
    private readonly SqliteCommand _updateTask;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _upsertWork;
    private readonly SqliteCommand _deleteWork;
    private readonly SqliteCommand _insertOutbox;
    private readonly SqliteCommand _deleteOutbox;
    private readonly SqliteCommand _upsertCircuit;
    private readonly SqliteCommand _putArtifact;
    private readonly SqliteCommand _deleteArtifact;
    private readonly SqliteCommand _deleteArtifacts;
    private readonly SqliteCommand _insertCanceledLease;
    private readonly SqliteCommand _deleteCanceledLease;
    private readonly SqliteCommand _readCost;
    private readonly SqliteCommand _addRoleCounters;
    private readonly SqliteCommand[] _purge;
    private SqliteTransaction? _transaction;
    private readonly long _pageSize;

    public TaskWriter(TaskDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _connection = database.OpenWriter();
        using (var pageSize = _connection.CreateCommand())
        {
            pageSize.CommandText = "PRAGMA page_size;";
            _pageSize = Convert.ToInt64(pageSize.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        _insertTask = Prepare("""
            INSERT INTO tasks (id, status, terminal, roles, spec_hash, context, state, version, created_at, updated_at)
            VALUES ($id, $status, $terminal, $roles, $hash, $context, $state, $version, $created, $updated)
            """, "$id", "$status", "$terminal", "$roles", "$hash", "$context", "$state", "$version", "$created", "$updated");
        _updateTask = Prepare(
            "UPDATE tasks SET status = $status, terminal = $terminal, state = $state, version = $version, updated_at = $updated WHERE id = $id",
            "$id", "$status", "$terminal", "$state", "$version", "$updated");
        _insertEvent = Prepare(
            "INSERT OR REPLACE INTO task_events (task_id, seq, at, event) VALUES ($task, $seq, $at, $event)",
            "$task", "$seq", "$at", "$event");
        _upsertWork = Prepare("""
            INSERT OR REPLACE INTO work (task_id, kind, role, attempt, due_at, priority, created_at, lease_id, lease_expires_at, worker_id, lease_ms)
            VALUES ($task, $kind, $role, $attempt, $due, $priority, $created, $lease, $expires, $worker, $leaseMs)
            """, "$task", "$kind", "$role", "$attempt", "$due", "$priority", "$created", "$lease", "$expires", "$worker", "$leaseMs");
        _deleteWork = Prepare("DELETE FROM work WHERE task_id = $task AND kind = $kind AND role = $role", "$task", "$kind", "$role");
        _insertOutbox = Prepare(
            "INSERT INTO outbox (id, task_id, kind, payload, created_at) VALUES ($id, $task, $kind, $payload, $created)",
            "$id", "$task", "$kind", "$payload", "$created");
        _deleteOutbox = Prepare("DELETE FROM outbox WHERE id = $id", "$id");
        _upsertCircuit = Prepare(
            "INSERT OR REPLACE INTO circuits (role, state, updated_at) VALUES ($role, $state, $updated)",
            "$role", "$state", "$updated");
        _putArtifact = Prepare(
            "INSERT OR REPLACE INTO artifacts (path, content, file, length, written_at) VALUES ($path, $content, $file, $length, $at)",
            "$path", "$content", "$file", "$length", "$at");
        _deleteArtifact = Prepare("DELETE FROM artifacts WHERE path = $path", "$path");
        _deleteArtifacts = Prepare("DELETE FROM artifacts WHERE path >= $low AND path < $high", "$low", "$high");
        _insertCanceledLease = Prepare("""
            INSERT OR REPLACE INTO canceled_leases (lease_id, task_id, role, attempt, worker_id, lease_expires_at)
            VALUES ($lease, $task, $role, $attempt, $worker, $expires)
            """, "$lease", "$task", "$role", "$attempt", "$worker", "$expires");
        _deleteCanceledLease = Prepare("DELETE FROM canceled_leases WHERE lease_id = $lease", "$lease");

        // The cost is a decimal kept as text (SQLite would add it as a double): read, added here, written back.
        _readCost = Prepare("SELECT cost_usd FROM role_counters WHERE role = $role", "$role");
        _addRoleCounters = Prepare("""
            INSERT INTO role_counters (role, succeeded, failed, dead_lettered, latency_count, latency_sum_ms, input_tokens, output_tokens, cost_usd)
            VALUES ($role, $succeeded, $failed, $dead, $count, $sum, $input, $output, $cost)
            ON CONFLICT (role) DO UPDATE SET
                succeeded = succeeded + excluded.succeeded, failed = failed + excluded.failed, dead_lettered = dead_lettered + excluded.dead_lettered,
                latency_count = latency_count + excluded.latency_count, latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms,
                input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cost_usd = excluded.cost_usd
            """, "$role", "$succeeded", "$failed", "$dead", "$count", "$sum", "$input", "$output", "$cost");
        _purge =
        [
            Prepare("DELETE FROM tasks WHERE id = $id", "$id"),
            Prepare("DELETE FROM task_events WHERE task_id = $id", "$id"),
            Prepare("DELETE FROM work WHERE task_id = $id", "$id"),
        ];
    }

    public void Begin() => _transaction = _connection.BeginTransaction(deferred: false);

    public void Commit()
    {
        _transaction!.Commit();
        _transaction.Dispose();
        _transaction = null;
    }

    /// <summary>
    /// Bytes of pages this connection wrote since the last call (in WAL mode, every one is a frame appended to the
    /// log), from SQLite's own per-connection counter; the benchmark divides it by tasks. Commit thread only.
    /// </summary>
    public long TakePageBytesWritten()
    {
        _ = SQLitePCL.raw.sqlite3_db_status(_connection.Handle, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_WRITE, out var pages, out _, 1);
        return pages * _pageSize;
    }

    public void Rollback()
    {
        try
        {
            _transaction?.Rollback();
        }
        finally
        {
            _transaction?.Dispose();
            _transaction = null;
        }
    }

    public void InsertTask(string id, string status, bool terminal, string roles, string specHash, string? context, string state, long version, DateTimeOffset created, DateTimeOffset updated) =>
        Run(_insertTask, id, status, terminal ? 1 : 0, roles, specHash, (object?)context ?? DBNull.Value, state, version, created.ToUnixTimeMilliseconds(), updated.ToUnixTimeMilliseconds());

    public void UpdateTask(string id, string status, bool terminal, string state, long version, DateTimeOffset updated) =>
        Run(_updateTask, id, status, terminal ? 1 : 0, state, version, updated.ToUnixTimeMilliseconds());

    public void InsertEvent(string taskId, long seq, DateTimeOffset at, string json) =>
        Run(_insertEvent, taskId, seq, at.ToUnixTimeMilliseconds(), json);

    public void UpsertWork(WorkRow row) =>
        Run(
            _upsertWork,
            row.TaskId,
            (int)row.Kind,
            row.Role,
            row.Attempt,
            row.DueAt.ToUnixTimeMilliseconds(),
            row.Priority,
            row.CreatedAt.ToUnixTimeMilliseconds(),
            (object?)row.LeaseId ?? DBNull.Value,
            row.LeaseExpiresAt is { } expires ? expires.ToUnixTimeMilliseconds() : DBNull.Value,
            (object?)row.WorkerId ?? DBNull.Value,
            row.LeaseDuration is { } leaseDuration ? (long)leaseDuration.TotalMilliseconds : DBNull.Value);

    public void DeleteWork(string taskId, WorkKind kind, string role) => Run(_deleteWork, taskId, (int)kind, role);

    public void InsertOutbox(long id, string taskId, string kind, string payload, DateTimeOffset created) =>
        Run(_insertOutbox, id, taskId, kind, payload, created.ToUnixTimeMilliseconds());

    public void DeleteOutbox(long id) => Run(_deleteOutbox, id);

    public void UpsertCircuit(string role, string state, DateTimeOffset updated) => Run(_upsertCircuit, role, state, updated.ToUnixTimeMilliseconds());

    public void InsertCanceledLease(string leaseId, string taskId, string role, int attempt, string? workerId, DateTimeOffset expires) =>
        Run(_insertCanceledLease, leaseId, taskId, role, attempt, (object?)workerId ?? DBNull.Value, expires.ToUnixTimeMilliseconds());

    public void DeleteCanceledLease(string leaseId) => Run(_deleteCanceledLease, leaseId);

    /// <summary>Adds one batch's counts to a role's totals.</summary>
    public void AddRoleCounters(RoleCounters added)
    {
        ArgumentNullException.ThrowIfNull(added);
        Bind(_readCost, added.Role);
        var cost = _readCost.ExecuteScalar() is string stored ? decimal.Parse(stored, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture) : 0m;
        Run(
            _addRoleCounters,
            added.Role,
            added.Succeeded,
            added.Failed,
            added.DeadLettered,
            added.LatencyCount,
            added.LatencySumMs,
            added.InputTokens,
            added.OutputTokens,
            (cost + added.CostUsd).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void PutArtifact(StoredArtifact artifact, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        Run(
            _putArtifact,
            artifact.Path,
            (object?)artifact.Content ?? DBNull.Value,
            (object?)artifact.File ?? DBNull.Value,
            artifact.Length,
            at.ToUnixTimeMilliseconds());
    }

    public void DeleteArtifact(string path) => Run(_deleteArtifact, path);

    /// <summary>Deletes the artifact rows whose path starts with <paramref name="prefix"/>.</summary>
    public void DeleteArtifacts(string prefix)
    {
        // An empty prefix (everything) has no upper bound of its own: above every character a path may hold.
        var range = ArtifactPrefixRange.Of(prefix);
        Run(_deleteArtifacts, range.Low, range.High ?? "\U0010FFFF");
    }

    /// <summary>Deletes a task's rows, its artifacts among them (their files go through the outbox).</summary>
    public void PurgeTask(string id)
    {
        foreach (var command in _purge)
        {
            Run(command, id);
        }

        DeleteArtifacts(AgentFunctions.Core.Storage.ArtifactLayout.TaskPrefix(id));
    }

    public void Dispose()
    {
        _transaction?.Dispose();
        foreach (var command in new[] { _insertTask, _updateTask, _insertEvent, _upsertWork, _deleteWork, _insertOutbox, _deleteOutbox, _upsertCircuit, _putArtifact, _deleteArtifact, _deleteArtifacts, _insertCanceledLease, _deleteCanceledLease, _readCost, _addRoleCounters }.Concat(_purge))
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private void Run(SqliteCommand command, params object[] values)
    {
        Bind(command, values);
        command.ExecuteNonQuery();
    }

    private void Bind(SqliteCommand command, params object[] values)
    {
        command.Transaction = _transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }
}
