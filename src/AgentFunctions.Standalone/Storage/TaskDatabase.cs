using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// The SQLite file of the Standalone engine: WAL journal, synchronous=FULL (every commit survives a
/// crash or power cut), and the schema: tasks (decider state), their event history, scheduled work
/// (attempts, leases, timers), the roles' circuit breakers and the outbox of file writes still to do. Version 2 adds
/// what used to live only in memory: a worker's shorter lease, leases whose task was canceled, and the per-role
/// counters. Version 3 keeps task artifacts in the database (<c>artifacts</c>, keyed by their layout path): small ones
/// as BLOBs, large ones as a reference to a file written before the commit; files under <c>artifacts/</c> from before
/// still read. Tables added later are created with IF NOT EXISTS, so an older database gains them without a new schema
/// version.
/// </summary>
public sealed class TaskDatabase
{
    /// <summary>The schema this build writes; it opens older ones (migrating them) and refuses newer ones.</summary>
    public const int SchemaVersion = 3;

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

    /// <summary>Version 1 to 2: state that a restart used to lose.</summary>
    private const string Version2 = """
        ALTER TABLE work ADD COLUMN lease_ms INTEGER;
        CREATE TABLE IF NOT EXISTS canceled_leases (
            lease_id TEXT PRIMARY KEY,
            task_id TEXT NOT NULL,
            role TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            worker_id TEXT,
            lease_expires_at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS role_counters (
            role TEXT PRIMARY KEY,
            succeeded INTEGER NOT NULL,
            failed INTEGER NOT NULL,
            dead_lettered INTEGER NOT NULL,
            latency_count INTEGER NOT NULL,
            latency_sum_ms REAL NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cost_usd TEXT NOT NULL) WITHOUT ROWID;
        """;

    /// <summary>
    /// Version 2 to 3: artifacts in the database. Exactly one of <c>content</c> (the bytes) and <c>file</c> (a path
    /// under <c>artifacts/</c>, written and flushed before the commit that names it) is set. A rowid table with a
    /// unique path rather than one keyed by path: rows are appended in commit order, so a batch fills fresh pages
    /// instead of splitting leaves all over a path-ordered tree (measured: 13.6 KB instead of 19.1 KB appended to the
    /// log per benchmark task).
    /// </summary>
    private const string Version3 = """
        CREATE TABLE IF NOT EXISTS artifacts (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            content BLOB,
            file TEXT,
            length INTEGER NOT NULL,
            written_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS artifacts_in_files ON artifacts (file) WHERE file IS NOT NULL;
        """;

    private TaskDatabase(string path, string connectionString)
    {
        Path = path;
        ConnectionString = connectionString;
    }

    /// <param name="readOnly">Open nothing for writing and create nothing (the <c>check</c> command).</param>
    public TaskDatabase(string path, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    /// <summary>
    /// The database for reading only, creating nothing: with its write-ahead log when one exists (a server runs, or
    /// stopped without cleaning up), otherwise as an immutable file, so not even the log's side files appear.
    /// </summary>
    public static TaskDatabase ForInspection(string path)
    {
        var database = new TaskDatabase(path, readOnly: true);
        if (File.Exists(database.Path + "-wal"))
        {
            return database;
        }

        var uri = "file:" + database.Path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal) + "?immutable=1";
        return new TaskDatabase(database.Path, new SqliteConnectionStringBuilder { DataSource = uri, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
    }

    public string ConnectionString { get; }

    /// <summary>
    /// Creates the file and schema if needed and brings an older schema up to <see cref="SchemaVersion"/>, in one
    /// transaction. Throws <see cref="DataDirectoryException"/> for a database from a newer version; SQLite's own
    /// errors (not a database, damaged) come out as <see cref="SqliteException"/>.
    /// </summary>
    public void Initialize()
    {
        using var connection = OpenWriter();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Schema;
        command.ExecuteNonQuery();
        command.CommandText = "SELECT value FROM meta WHERE key = 'schema_version';";
        var found = command.ExecuteScalar() as string;
        var version = found is null ? 0 : int.TryParse(found, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : int.MaxValue;
        if (version > SchemaVersion)
        {
            throw new DataDirectoryException(
                $"the database {Path} has schema version {found}, written by a newer AgentFunctions; this build reads versions up to {SchemaVersion}. Run the newer build, or restore a backup made by this one");
        }

        if (version < 2)
        {
            command.CommandText = Version2;
            command.ExecuteNonQuery();
        }

        if (version < 3)
        {
            command.CommandText = Version3;
            command.ExecuteNonQuery();
        }

        if (version < SchemaVersion)
        {
            command.CommandText = "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', $version);";
            command.Parameters.AddWithValue("$version", SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>
    /// <c>PRAGMA quick_check</c>: the structure of every page and index (not the content of every row). Returns the
    /// problems found, at most <paramref name="limit"/>; empty when the file is sound.
    /// </summary>
    public List<string> QuickCheck(int limit = 10) => Check("quick_check", limit);

    /// <summary><c>PRAGMA integrity_check</c>: as <see cref="QuickCheck"/>, and every index against its table.</summary>
    public List<string> IntegrityCheck(int limit = 10) => Check("integrity_check", limit);

    private List<string> Check(string pragma, int limit)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PRAGMA {pragma}({limit});");
        command.CommandTimeout = 0;
        using var reader = command.ExecuteReader();
        var problems = new List<string>();
        while (reader.Read())
        {
            var line = reader.GetString(0);
            if (line != "ok")
            {
                problems.Add(line);
            }
        }

        return problems;
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
