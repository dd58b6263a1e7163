namespace AgentFunctions.Core.Storage;

/// <summary>The file mechanics shared by the filesystem stores: temp files, atomic publish, flushing, link checks.</summary>
internal static class FileSystemIo
{
    /// <summary>
    /// Prefix of in-flight files. '!' is in neither the artifact path nor the dead-letter id alphabet,
    /// so a temp file can never be mistaken for, or collide with, a real artifact or record.
    /// </summary>
    public const string TempPrefix = ".tmp!";

    private const int WindowsMoveAttempts = 10;

    private static readonly string[] WindowsDeviceNames =
    [
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    public static bool IsTempName(string fileName) => fileName.StartsWith(TempPrefix, StringComparison.Ordinal);

    /// <summary>Writes <paramref name="content"/> to a new, uniquely named temp file in <paramref name="directory"/>.</summary>
    public static Task<string> WriteTempFileAsync(
        string directory, ReadOnlyMemory<byte> content, bool flushToDisk, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var tempPath = Path.Join(directory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            // A plain synchronous write: artifacts are small and local, and "async" file I/O on Linux
            // is a thread-pool hop that costs more than the write itself.
            // No preallocation: for files this small, fallocate is one more syscall and saves nothing.
            using (var handle = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None))
            {
                RandomAccess.Write(handle, content.Span, 0);
                if (flushToDisk)
                {
                    RandomAccess.FlushToDisk(handle);
                }
            }

            return Task.FromResult(tempPath);
        }
        catch
        {
            TryDeleteFile(tempPath);
            throw;
        }
    }

    /// <summary>Publishes a finished temp file over <paramref name="target"/> in one rename.</summary>
    public static void MoveOver(string tempPath, string target)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                File.Move(tempPath, target, overwrite: true);
                return;
            }
            catch (Exception ex) when (OperatingSystem.IsWindows() && attempt < WindowsMoveAttempts
                && ex is IOException or UnauthorizedAccessException && !Directory.Exists(target))
            {
                // Windows refuses to replace a file another writer is replacing at the same moment;
                // that clears in milliseconds. POSIX rename has no such window.
                Thread.Sleep(attempt * 5);
            }
        }
    }

    /// <summary>
    /// Publishes a finished temp file as <paramref name="target"/> only if that name is free;
    /// false when it is taken. The temp file is consumed either way.
    /// </summary>
    public static bool MoveIfAbsent(string tempPath, string target)
    {
        try
        {
            if (PosixFileOps.IsAvailable)
            {
                // link(2) fails with EEXIST atomically; File.Move without overwrite checks then renames.
                if (PosixFileOps.TryLink(tempPath, target, out _))
                {
                    return true;
                }

                if (Exists(target))
                {
                    return false;
                }

                // No hard links on this filesystem (or another failure): the portable path reports it.
            }

            try
            {
                // On Windows this is MoveFileEx without REPLACE_EXISTING: atomic and create-only.
                File.Move(tempPath, target, overwrite: false);
                return true;
            }
            catch (IOException) when (Exists(target))
            {
                return false;
            }
        }
        finally
        {
            TryDeleteFile(tempPath);
        }
    }

    /// <summary>
    /// Deletes a file by first renaming it to a temp name: of two deleters exactly one sees true,
    /// and a reader holding it open keeps reading the old content.
    /// </summary>
    public static bool TryRemoveFile(string fullPath)
    {
        if (Directory.Exists(fullPath))
        {
            return false;
        }

        var grave = Path.Join(Path.GetDirectoryName(fullPath), TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            File.Move(fullPath, grave, overwrite: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        TryDeleteFile(grave);
        return true;
    }

    /// <summary>Reads a whole file, letting writers rename a new version over it meanwhile; null when missing.</summary>
    public static async Task<byte[]?> TryReadAllBytesAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous,
            });
            var bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
            return bytes;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Makes the last renames into <paramref name="directory"/> durable (a no-op where the OS journals it).</summary>
    public static void FlushDirectory(string directory)
    {
        if (PosixFileOps.IsAvailable)
        {
            PosixFileOps.SyncDirectory(directory);
        }
    }

    public static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is never listed and is swept later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>True when something (a file, a directory, even a dangling link) has this name.</summary>
    public static bool Exists(string path) => Path.Exists(path) || IsLink(path);

    /// <summary>True when <paramref name="path"/> is a symbolic link or junction (whatever it points to).</summary>
    public static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>
    /// The first existing component of <paramref name="segments"/> below <paramref name="root"/> that is a link,
    /// as a '/' relative path, or null. Components past the first missing one cannot exist, so the walk stops there.
    /// One lstat per component: the attributes of a link carry <see cref="FileAttributes.ReparsePoint"/>.
    /// </summary>
    public static string? FindLink(string root, IReadOnlyList<string> segments)
    {
        var current = root;
        for (var i = 0; i < segments.Count; i++)
        {
            current = Path.Join(current, segments[i]);
            var attributes = new FileInfo(current).Attributes;
            if ((int)attributes == -1)
            {
                // Missing (FileSystemInfo reports -1 rather than throwing).
                return null;
            }

            if (attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                return string.Join('/', segments.Take(i + 1));
            }
        }

        return null;
    }

    /// <summary>Names Windows maps to devices or silently rewrites (trailing dot): they cannot be files there.</summary>
    public static bool IsReservedOnWindows(string segment)
    {
        if (segment.EndsWith('.'))
        {
            return true;
        }

        var dot = segment.IndexOf('.', StringComparison.Ordinal);
        var stem = dot < 0 ? segment : segment[..dot];
        return WindowsDeviceNames.Contains(stem, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The root as a full path without a trailing separator (unless it is a filesystem root).</summary>
    public static string NormalizeRoot(string rootPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootPath);
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootPath));
    }

    /// <summary>The root with exactly one trailing separator: what every path under it starts with.</summary>
    public static string RootPrefix(string root) =>
        Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
}
