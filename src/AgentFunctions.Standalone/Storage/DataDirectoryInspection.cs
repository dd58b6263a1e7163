using System.Globalization;
using AgentFunctions.Core.Storage;
using AgentFunctions.Standalone.Engine;
using AgentFunctions.Standalone.Hosting;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// Verifies a data directory without changing it (the <c>check</c> command): the database's schema and integrity
/// (<c>PRAGMA integrity_check</c>), artifact folders the database knows nothing of, tasks whose written files are
/// gone, and what interrupted work left behind (which the next start cleans up).
/// </summary>
public static class DataDirectoryInspection
{
    private const int Examples = 3;

    public static DataDirectoryReport Run(StandaloneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var report = new DataDirectoryReport();
        var directory = Path.GetFullPath(options.DataDirectory);
        if (File.Exists(directory))
        {
            report.Problem($"{directory} is a file, not a data directory");
            return report;
        }

        if (!Directory.Exists(directory))
        {
            report.Problem($"{directory} does not exist");
            return report;
        }

        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(directory).GetEnumerator();
            entries.MoveNext();
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            report.Problem($"{directory} cannot be read by this user: {ex.Message.TrimEnd('.')}");
            return report;
        }

        report.Line($"data directory: {directory}{HolderNote(directory)}");
        var known = InspectDatabase(options, report);
        InspectArtifacts(options, known, report);
        InspectDeadLetters(options, report);
        InspectLeftovers(options, report);
        return report;
    }

    /// <summary>The task ids the database knows (tasks, and folders an outbox row still has to write or delete); null when it cannot be read.</summary>
    private static KnownTasks? InspectDatabase(StandaloneOptions options, DataDirectoryReport report)
    {
        var path = Path.GetFullPath(options.DatabasePath);
        if (Directory.Exists(path))
        {
            report.Problem($"the database path {path} is a folder, not a database file");
            return null;
        }

        if (!File.Exists(path))
        {
            report.Problem($"there is no database at {path}");
            return new KnownTasks([], [], [], [], []);
        }

        var database = TaskDatabase.ForInspection(path);
        try
        {
            using var connection = database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
            var version = command.ExecuteScalar() as string;
            var size = new FileInfo(path).Length;
            report.Line(string.Create(CultureInfo.InvariantCulture, $"database: {path}, schema version {version ?? "none"}, {size / 1024.0 / 1024.0:0.0} MiB"));
            if (version is null || !int.TryParse(version, CultureInfo.InvariantCulture, out var number))
            {
                report.Problem($"the database {path} has no schema version: it is not an AgentFunctions database");
                return null;
            }

            if (number > TaskDatabase.SchemaVersion)
            {
                report.Problem($"the database {path} has schema version {version}, newer than this build reads ({TaskDatabase.SchemaVersion})");
                return null;
            }

            var integrity = database.IntegrityCheck(limit: 20);
            if (integrity.Count == 0)
            {
                report.Line("integrity: ok (PRAGMA integrity_check)");
            }
            else
            {
                report.Problem($"the database is damaged (PRAGMA integrity_check: {string.Join("; ", integrity)})");
                return null;
            }

            return ReadKnownTasks(connection, report);
        }
        catch (SqliteException ex)
        {
            report.Problem(DataDirectoryGuard.Describe(ex, path));
            return null;
        }
    }

    private static KnownTasks ReadKnownTasks(SqliteConnection connection, DataDirectoryReport report)
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        var terminal = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, terminal FROM tasks";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                all.Add(reader.GetString(0));
                if (reader.GetInt64(1) != 0)
                {
                    terminal.Add(reader.GetString(0));
                }
            }
        }

        // Folders an outbox row still has to write (or, for a purge, delete) are accounted for by that row.
        var pending = new HashSet<string>(StringComparer.Ordinal);
        var outboxRows = 0;
        command.CommandText = "SELECT task_id FROM outbox";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                outboxRows++;
                pending.Add(reader.GetString(0));
            }
        }

        report.Line(string.Create(CultureInfo.InvariantCulture, $"tasks: {all.Count} ({all.Count - terminal.Count} unfinished), {outboxRows} file writes pending (done at the next start)"));
        // Since schema version 3 artifacts are rows; a large one's row names a file that must be there.
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var missingFiles = new List<string>();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'artifacts'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
        {
            command.CommandText = "SELECT path, file FROM artifacts WHERE file IS NOT NULL OR path LIKE 'tasks/%/spec.json' OR path LIKE 'tasks/%/result.json'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                stored.Add(reader.GetString(0));
                if (!reader.IsDBNull(1))
                {
                    missingFiles.Add(reader.GetString(1));
                }
            }
        }

        return new KnownTasks(all, terminal, pending, stored, missingFiles);
    }

    private static void InspectArtifacts(StandaloneOptions options, KnownTasks? known, DataDirectoryReport report)
    {
        var tasksFolder = Path.Combine(Path.GetFullPath(options.ArtifactsPath), "tasks");
        var folders = Directory.Exists(tasksFolder) ? Directory.GetDirectories(tasksFolder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList() : [];
        var temp = CountTempFiles(options.ArtifactsPath);
        report.Line(string.Create(CultureInfo.InvariantCulture, $"artifacts: {folders.Count} task folders"));
        if (temp > 0)
        {
            report.Leftover(string.Create(CultureInfo.InvariantCulture, $"{temp} unfinished artifact writes (temp files) under {options.ArtifactsPath}"));
        }

        if (known is null)
        {
            return;
        }

        var orphans = folders.Where(id => !known.All.Contains(id) && !known.Pending.Contains(id)).ToList();
        if (orphans.Count > 0)
        {
            report.Problem(string.Create(CultureInfo.InvariantCulture, $"{orphans.Count} artifact folders belong to no task in the database (such as {Sample(orphans)}): the database was replaced or lost, or a purge was interrupted outside the outbox"));
        }

        var lostFiles = known.LargeFiles.Where(file => !File.Exists(Path.Combine(Path.GetFullPath(options.ArtifactsPath), file))).ToList();
        if (lostFiles.Count > 0)
        {
            report.Problem(string.Create(CultureInfo.InvariantCulture, $"{lostFiles.Count} large artifacts miss the file their row names (such as {Sample(lostFiles)}): they were deleted or lost since"));
        }

        // Missing only when it was written (a row, or a file with no outbox row still promising it) and is gone since.
        var missing = known.All
            .Where(id => !known.Pending.Contains(id))
            .Where(id => !Has(known, tasksFolder, id, "spec.json") || (known.Terminal.Contains(id) && !Has(known, tasksFolder, id, "result.json")))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (missing.Count > 0)
        {
            report.Problem(string.Create(CultureInfo.InvariantCulture, $"{missing.Count} tasks miss files that were written (spec.json or result.json; such as {Sample(missing)}): they were deleted or lost since"));
        }
    }

    /// <summary>Whether a task's artifact is stored: as a row, or as a file from before schema version 3.</summary>
    private static bool Has(KnownTasks known, string tasksFolder, string id, string name) =>
        known.Stored.Contains(ArtifactLayout.TaskPrefix(id) + name) || File.Exists(Path.Combine(tasksFolder, id, name));

    private static void InspectDeadLetters(StandaloneOptions options, DataDirectoryReport report)
    {
        var folder = Path.GetFullPath(options.DeadLettersPath);
        if (!Directory.Exists(folder))
        {
            report.Line("dead letters: none");
            return;
        }

        var records = Directory.EnumerateFiles(folder, "*.json").Count(file => !FileSystemArtifactStore.IsTempFileName(Path.GetFileName(file)));
        report.Line(string.Create(CultureInfo.InvariantCulture, $"dead letters: {records}"));
        var temp = CountTempFiles(folder);
        if (temp > 0)
        {
            report.Leftover(string.Create(CultureInfo.InvariantCulture, $"{temp} unfinished dead-letter writes (temp files) under {folder}"));
        }
    }

    private static void InspectLeftovers(StandaloneOptions options, DataDirectoryReport report)
    {
        var scratch = Path.GetFullPath(options.TemporaryPath);
        if (Directory.Exists(scratch) && Directory.EnumerateFileSystemEntries(scratch).Count() is var count and > 0)
        {
            report.Leftover(string.Create(CultureInfo.InvariantCulture, $"{count} scratch folders of interrupted attempts under {scratch} (removed at the next start)"));
        }

        // A running server keeps a record per command attempt in flight; only after a crash do they outlive it.
        var groups = new ProcessGroupFiles(Path.GetFullPath(options.ProcessGroupsPath));
        if (groups.Inspect() is { Records: > 0 } records)
        {
            report.Leftover(string.Create(CultureInfo.InvariantCulture, $"{records.Records} process-group records of command attempts under {groups.Directory}, {records.Running} still running (killed at the next start)"));
        }
    }

    private static int CountTempFiles(string root) => Directory.Exists(root)
        ? Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true })
            .Count(file => FileSystemArtifactStore.IsTempFileName(Path.GetFileName(file)))
        : 0;

    private static string Sample(List<string> ids) =>
        string.Join(", ", ids.Take(Examples).Select(id => $"'{id}'")) + (ids.Count > Examples ? ", ..." : string.Empty);

    /// <summary>Which server, if any, has the directory open (from the lock holder's process id, when that process still runs).</summary>
    private static string HolderNote(string directory)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(directory, DataDirectoryLock.HolderFileName)).Trim();
            if (int.TryParse(text, CultureInfo.InvariantCulture, out var pid) && File.Exists($"/proc/{pid}/cmdline")
                && File.ReadAllText($"/proc/{pid}/cmdline").Contains("AgentFunctions.Standalone", StringComparison.Ordinal))
            {
                return $" (in use by server process {pid}: this check reads a snapshot)";
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return string.Empty;
    }

    /// <param name="Stored">Paths of the spec.json and result.json rows.</param>
    /// <param name="LargeFiles">The files (under artifacts/) that rows of large artifacts name.</param>
    private sealed record KnownTasks(HashSet<string> All, HashSet<string> Terminal, HashSet<string> Pending, HashSet<string> Stored, List<string> LargeFiles);
}
