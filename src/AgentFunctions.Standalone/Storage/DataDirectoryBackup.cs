using AgentFunctions.Core.Storage;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// A consistent copy of a data directory, taken while a server may be running on it: first a snapshot of the
/// database (<c>VACUUM INTO</c>, one read transaction; it holds the artifacts kept as rows), then the artifact folders
/// of the tasks in that snapshot and the dead letters. A large artifact's file is flushed before the commit that names
/// it; outbox files are written only after the commit that promises them, and their outbox row is deleted only after
/// they are on disk. So every file the snapshot counts as written was there before the copy began, and every file it
/// still promises is rewritten from its outbox row when a server starts on the copy.
/// </summary>
public static class DataDirectoryBackup
{
    public sealed record Result(int Tasks, int ArtifactFiles, int DeadLetters);

    /// <summary>Copies <paramref name="options"/>' data directory into <paramref name="target"/>, a new or empty folder.</summary>
    public static Result Run(StandaloneOptions options, string target)
    {
        ArgumentNullException.ThrowIfNull(options);
        var source = new StandaloneOptions { DataDirectory = Path.GetFullPath(options.DataDirectory) };
        var copy = new StandaloneOptions { DataDirectory = Path.GetFullPath(target) };
        if (!File.Exists(source.DatabasePath))
        {
            throw new DataDirectoryException($"there is no database at {source.DatabasePath} to back up");
        }

        Directory.CreateDirectory(copy.DataDirectory);
        Snapshot(source.DatabasePath, copy.DatabasePath);
        var tasks = TasksIn(copy.DatabasePath);

        var files = 0;
        var sourceTasks = Path.Combine(source.ArtifactsPath, "tasks");
        foreach (var id in tasks)
        {
            files += CopyTree(Path.Combine(sourceTasks, id), Path.Combine(copy.ArtifactsPath, "tasks", id));
        }

        var deadLetters = CopyTree(source.DeadLettersPath, copy.DeadLettersPath);
        if (FileSystemCheckpoint.IsSupported)
        {
            FileSystemCheckpoint.Flush(copy.DataDirectory);
        }

        return new Result(tasks.Count, files, deadLetters);
    }

    private static void Snapshot(string databasePath, string targetPath)
    {
        var source = TaskDatabase.ForInspection(databasePath);
        using var connection = source.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "VACUUM INTO $target";
        command.Parameters.AddWithValue("$target", targetPath);
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }

    /// <summary>Tasks the snapshot knows, and those whose folders its outbox still writes or deletes.</summary>
    private static List<string> TasksIn(string databasePath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM tasks UNION SELECT task_id FROM outbox";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Copies the regular files under <paramref name="from"/> (no links, no unfinished temp files); a missing folder copies nothing.</summary>
    private static int CopyTree(string from, string to)
    {
        if (!Directory.Exists(from))
        {
            return 0;
        }

        var count = 0;
        var files = Directory.EnumerateFiles(from, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false });
        foreach (var file in files)
        {
            if (FileSystemArtifactStore.IsTempFileName(Path.GetFileName(file)))
            {
                continue;
            }

            var destination = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            try
            {
                File.Copy(file, destination, overwrite: true);
                count++;
            }
            catch (FileNotFoundException)
            {
                // Replaced by a newer version between listing and copying (writes rename over the old file), or purged.
            }
        }

        return count;
    }
}
