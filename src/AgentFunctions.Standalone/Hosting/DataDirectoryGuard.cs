using System.Diagnostics;
using AgentFunctions.Standalone.Storage;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>
/// Opens the data directory for a server, or refuses with one line that names the problem
/// (<see cref="DataDirectoryException"/>): a path that is a file or that this user cannot use, a database path that
/// is a folder, a file that is not an SQLite database, is cut short or is damaged (<c>PRAGMA quick_check</c>), a schema from a newer
/// build, or artifacts beside a database that knows no task (a lost or replaced database, which would otherwise
/// start empty and mix new files into old folders).
/// </summary>
public static class DataDirectoryGuard
{
    /// <summary>What the opened directory holds: the exclusive lock, how long the integrity check took (null when it was turned off), and how many scratch folders a crash had left.</summary>
    public sealed record Opened(DataDirectoryLock Lock, TimeSpan? IntegrityCheckTime, int ScratchFoldersRemoved);

    public static Opened Open(StandaloneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = Path.GetFullPath(options.DataDirectory);
        RequireUsableDirectory(directory);
        var directoryLock = DataDirectoryLock.Acquire(directory);
        try
        {
            var database = new TaskDatabase(options.DatabasePath);
            if (Directory.Exists(database.Path))
            {
                throw new DataDirectoryException($"the database path {database.Path} is a folder, not a database file; move it away");
            }

            // A missing or empty database file is refused before anything is written to it, so a restore can simply replace it.
            var fresh = !File.Exists(database.Path) || new FileInfo(database.Path).Length == 0;
            if (fresh && !options.AdoptOrphanArtifacts)
            {
                RefuseArtifactsWithoutDatabase(database, options.ArtifactsPath, id => false);
            }

            var started = Stopwatch.GetTimestamp();
            Initialize(database, options.QuickCheckAtStart);
            var checkTime = options.QuickCheckAtStart ? Stopwatch.GetElapsedTime(started) : (TimeSpan?)null;
            if (!fresh && !options.AdoptOrphanArtifacts && !HasTasks(database))
            {
                using var connection = database.Open();
                using var pending = connection.CreateCommand();

                // Folders a purge still has to delete are accounted for by their outbox rows.
                pending.CommandText = "SELECT EXISTS (SELECT 1 FROM outbox WHERE task_id = $id)";
                var id = pending.Parameters.Add("$id", SqliteType.Text);
                RefuseArtifactsWithoutDatabase(database, options.ArtifactsPath, folder =>
                {
                    id.Value = folder;
                    return (long)pending.ExecuteScalar()! != 0;
                });
            }

            return new Opened(directoryLock, checkTime, RemoveScratchFolders(options.TemporaryPath));
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>One line for a SQLite error on the database file, naming it.</summary>
    public static string Describe(SqliteException exception, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.SqliteErrorCode switch
        {
            26 => $"the database {databasePath} is not an SQLite database (SQLite: {exception.Message}); it is not an AgentFunctions data file or it was overwritten. Restore it from a backup",
            11 => $"the database {databasePath} is damaged (SQLite: {exception.Message}). Restore it from a backup; 'check' reports what is wrong",
            14 => $"the database {databasePath} cannot be opened (SQLite: {exception.Message}); check that the path is a file this user may read and write",
            8 or 23 => $"the database {databasePath} cannot be written by this user (SQLite: {exception.Message})",
            13 => $"the disk holding {databasePath} is full (SQLite: {exception.Message}); free some space",
            _ => $"the database {databasePath} cannot be used (SQLite: {exception.Message})",
        };
    }

    private static void RequireUsableDirectory(string directory)
    {
        if (File.Exists(directory))
        {
            throw new DataDirectoryException($"{StandaloneOptions.SectionName}:DataDirectory: {directory} is a file, not a folder");
        }

        try
        {
            Directory.CreateDirectory(directory);

            // Reading it proves more than its mode bits: ACLs, mounts and the user the server runs as all count.
            using var entries = Directory.EnumerateFileSystemEntries(directory).GetEnumerator();
            entries.MoveNext();
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new DataDirectoryException($"{StandaloneOptions.SectionName}:DataDirectory: {directory} cannot be used by this user: {ex.Message.TrimEnd('.')}", ex);
        }
    }

    private static void Initialize(TaskDatabase database, bool quickCheck)
    {
        List<string> problems;
        try
        {
            // A file cut short opens fine and reads fine until the missing pages are needed; its header tells at once.
            if (File.Exists(database.Path) && DatabaseHeader.ExplainTruncation(database.Path) is { } truncated)
            {
                throw new DataDirectoryException($"the database {database.Path} is damaged ({truncated}). Restore it from a backup; 'check' reports what is wrong");
            }

            database.Initialize();

            // The pages SQLite has not read yet could still be damaged (overwritten in place, say): reading them all
            // costs time in proportion to the file (Standalone:QuickCheckAtStart turns it off).
            problems = quickCheck ? database.QuickCheck(limit: 3) : [];
        }
        catch (SqliteException ex)
        {
            throw new DataDirectoryException(Describe(ex, database.Path), ex);
        }

        if (problems.Count > 0)
        {
            throw new DataDirectoryException(
                $"the database {database.Path} is damaged (PRAGMA quick_check: {string.Join("; ", problems)}). Restore it from a backup; 'check' reports what is wrong");
        }
    }

    /// <summary>
    /// Removes the attempts' scratch folders a crash left behind (every attempt removes its own when it ends; none runs
    /// yet, and the lock keeps any other server away).
    /// </summary>
    private static int RemoveScratchFolders(string temporaryPath)
    {
        if (!Directory.Exists(temporaryPath))
        {
            return 0;
        }

        var removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(temporaryPath, Core.Runners.RunnerScratch.FolderPrefix + "*"))
        {
            Directory.Delete(folder, recursive: true);
            removed++;
        }

        return removed;
    }

    private static bool HasTasks(TaskDatabase database)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM tasks)";
        return (long)command.ExecuteScalar()! != 0;
    }

    /// <summary>Refuses when the artifacts hold task folders that <paramref name="accountedFor"/> does not explain.</summary>
    private static void RefuseArtifactsWithoutDatabase(TaskDatabase database, string artifactsPath, Func<string, bool> accountedFor)
    {
        // Every task's artifacts live in tasks/<id>/ (ArtifactLayout).
        var tasksFolder = Path.Combine(artifactsPath, "tasks");
        if (!Directory.Exists(tasksFolder))
        {
            return;
        }

        var orphans = 0;
        string? example = null;
        foreach (var folder in Directory.EnumerateDirectories(tasksFolder).Select(Path.GetFileName).OfType<string>())
        {
            if (!accountedFor(folder))
            {
                orphans++;
                example ??= folder;
            }
        }

        if (orphans > 0)
        {
            throw new DataDirectoryException(
                $"the database {database.Path} knows no task, but {artifactsPath} holds the artifacts of {orphans} (such as '{example}'): the database was lost or replaced. Restore it from a backup, or start with --{StandaloneOptions.SectionName}:AdoptOrphanArtifacts true to keep the files as they are");
        }
    }
}
