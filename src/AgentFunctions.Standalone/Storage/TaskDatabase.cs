using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// The SQLite file of the Standalone engine: WAL journal, synchronous=FULL (every commit survives a
/// crash or power cut), and the schema: tasks (decider state), their event history, scheduled work
/// (attempts, leases, timers), the roles' circuit breakers and the outbox of file writes still to do. Tables added
/// later are created with IF NOT EXISTS, so an older database gains them without a new schema version.
/// </summary>
public sealed class TaskDatabase
{
    private const int SchemaVersion = 1;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS tasks (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            terminal INTEGER NOT NULL,
            roles TEXT NOT NULL,
            spec_hash TEXT NOT NULL,
            context TEXT,
            state TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS tasks_by_created ON tasks (created_at DESC, id DESC);
        CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks (status, created_at DESC, id DESC);
        CREATE INDEX IF NOT EXISTS tasks_active ON tasks (terminal) WHERE terminal = 0;
        CREATE TABLE IF NOT EXISTS task_events (
            task_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            event TEXT NOT NULL,
            PRIMARY KEY (task_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS work (
            task_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            role TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            priority INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            lease_id TEXT,
            lease_expires_at INTEGER,
            worker_id TEXT,
            PRIMARY KEY (task_id, kind, role)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS circuits (
            role TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            updated_at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS outbox (
            id INTEGER PRIMARY KEY,
            task_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at INTEGER NOT NULL);
        """;

    public TaskDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    /// <summary>Creates the file and schema if needed; refuses a database from a newer version.</summary>
    public void Initialize()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var connection = OpenWriter();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = Schema;
            create.ExecuteNonQuery();
        }

        using (var version = connection.CreateCommand())
        {
            version.Transaction = transaction;
            version.CommandText = "SELECT value FROM meta WHERE key = 'schema_version';";
            var found = version.ExecuteScalar() as string;
            if (found is null)
            {
                version.CommandText = $"INSERT INTO meta (key, value) VALUES ('schema_version', '{SchemaVersion}');";
                version.ExecuteNonQuery();
            }
            else if (found != SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"The database {Path} has schema version {found}; this build understands version {SchemaVersion}.");
            }
        }

        transaction.Commit();
    }

    /// <summary>Opens a pooled connection for reading (WAL lets it read beside the writer).</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Opens the writing connection: every commit is fsynced (synchronous=FULL); checkpoints are left to
    /// <see cref="WalCheckpointer"/>, off the commit path.
    /// </summary>
    public SqliteConnection OpenWriter()
    {
        var connection = Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0;";
        pragmas.ExecuteNonQuery();
        return connection;
    }
}
