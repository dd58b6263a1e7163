namespace AgentFunctions.Bench;

/// <summary>
/// What the server keeps under its data directory, counted by walking it: files and folders (each one an inode),
/// and bytes in files other than the SQLite database and its log (that is, artifacts), plus the log's size.
/// </summary>
internal sealed record DataDirectoryUsage(long Files, long Directories, long ArtifactBytes, long WalFileBytes)
{
    public static DataDirectoryUsage Of(string directory)
    {
        long files = 0, directories = 0, artifactBytes = 0, walBytes = 0;
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            if (entry is DirectoryInfo)
            {
                directories++;
                continue;
            }

            files++;
            var length = ((FileInfo)entry).Length;
            if (entry.Name.EndsWith("-wal", StringComparison.Ordinal))
            {
                walBytes += length;
            }
            else if (!IsDatabaseFile(entry.Name))
            {
                artifactBytes += length;
            }
        }

        return new DataDirectoryUsage(files, directories, artifactBytes, walBytes);
    }

    private static bool IsDatabaseFile(string name) =>
        name.EndsWith(".db", StringComparison.Ordinal) || name.EndsWith("-shm", StringComparison.Ordinal) || name.EndsWith("-journal", StringComparison.Ordinal)
        || name.EndsWith(".lock", StringComparison.Ordinal);
}
