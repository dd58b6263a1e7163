using System.Runtime.CompilerServices;
using AgentFunctions.Core.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Core.Storage;

/// <summary>
/// Artifacts as files under one root directory, in the layout of <see cref="ArtifactLayout"/>.
/// Every path passes <see cref="ArtifactPath"/> and must then resolve to exactly the file it names under
/// the root without crossing a symbolic link. Writes go to a temp file in the target folder and are
/// published with one rename, so readers see the old content or the new, never a mix. The content type
/// passed to a write is not stored: it is inferred from the extension (<see cref="ArtifactContentTypes"/>).
/// </summary>
/// <remarks>
/// The link check runs before each operation; a process that can plant links under the root while the
/// store runs can still race it. It guards against links left in the tree, not against a hostile local user.
/// </remarks>
public sealed class FileSystemArtifactStore : IArtifactStore
{
    private const int DirectoryRaceRetries = 3;

    private static readonly EnumerationOptions ShallowEnumeration = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0, // dot files are artifacts like any other; temp files are filtered by name
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
        MatchType = MatchType.Simple,
    };

    private readonly string _root;
    private readonly string _rootPrefix;
    private readonly FileSystemArtifactStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public FileSystemArtifactStore(
        string rootPath,
        FileSystemArtifactStoreOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<FileSystemArtifactStore>? logger = null)
    {
        _root = FileSystemIo.NormalizeRoot(rootPath);
        _rootPrefix = FileSystemIo.RootPrefix(_root);
        _options = options ?? new FileSystemArtifactStoreOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Directory.CreateDirectory(_root);
    }

    /// <summary>The full path of the root directory.</summary>
    public string RootPath => _root;

    /// <summary>Whether a file name is one of the stores' in-flight temp files (left behind when a write was cut off).</summary>
    public static bool IsTempFileName(string fileName) => FileSystemIo.IsTempName(fileName);

    /// <summary>
    /// The file an artifact path names, after every check a read or write makes: throws
    /// <see cref="ArgumentException"/> for a path the naming rule refuses or that resolves anywhere else,
    /// <see cref="UnauthorizedAccessException"/> when an existing component under the root is a symbolic link.
    /// </summary>
    public string GetFullPath(string path)
    {
        ArtifactPath.Require(path);
        var segments = path.Split('/');
        return ResolveSegments(path, segments, nameof(path));
    }

    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, string? contentType, CancellationToken cancellationToken)
    {
        var fullPath = GetFullPath(path);
        if (_options.MaxArtifactBytes is { } max && content.Length > max)
        {
            throw new ArgumentOutOfRangeException(
                nameof(content), content.Length, $"The artifact '{path}' is {content.Length} bytes; the limit is {max}.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var directory = Path.GetDirectoryName(fullPath)!;
        var createdDirectory = false;
        string tempPath;
        for (var attempt = 1; ; attempt++)
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory);
                createdDirectory = true;
            }

            try
            {
                tempPath = await FileSystemIo.WriteTempFileAsync(directory, content, _options.FlushToDisk, cancellationToken);
                break;
            }
            catch (DirectoryNotFoundException) when (attempt < DirectoryRaceRetries)
            {
                // A purge removed the folder between its creation and our temp file: make it again.
            }
        }

        try
        {
            FileSystemIo.MoveOver(tempPath, fullPath);
        }
        catch
        {
            FileSystemIo.TryDeleteFile(tempPath);
            throw;
        }

        if (_options.FlushToDisk)
        {
            FlushDirectories(directory, includeAncestors: createdDirectory);
        }
    }

    public Task<ArtifactContent?> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = GetFullPath(path);
        cancellationToken.ThrowIfCancellationRequested();
        if (Directory.Exists(fullPath))
        {
            return Task.FromResult<ArtifactContent?>(null);
        }

        FileStream stream;
        try
        {
            // FileShare.Delete lets a writer rename a new version over the file while it is being read.
            stream = new FileStream(fullPath, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous,
            });
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<ArtifactContent?>(null);
        }

        try
        {
            // Length and time of the opened file, not of whatever the name points to by now.
            var lastModified = new DateTimeOffset(File.GetLastWriteTimeUtc(stream.SafeFileHandle), TimeSpan.Zero);
            var info = new ArtifactInfo(path, stream.Length, lastModified, ArtifactContentTypes.FromPath(path));
            return Task.FromResult<ArtifactContent?>(new ArtifactContent(stream, info));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = GetFullPath(path);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(fullPath));
    }

    /// <summary>
    /// Artifacts whose '/'-joined path starts with <paramref name="prefix"/> ("" for all), ordered by path
    /// (ordinal). Temp files, symbolic links and files whose names the store could not address are left out.
    /// </summary>
    public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        // Validate now, not on the first MoveNextAsync, so a bad prefix fails where it is passed.
        var start = ResolvePrefix(prefix, allowEmpty: true);
        return ListCoreAsync(prefix, start, cancellationToken);
    }

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = GetFullPath(path);
        cancellationToken.ThrowIfCancellationRequested();
        var deleted = FileSystemIo.TryRemoveFile(fullPath);
        if (deleted && _options.FlushToDisk)
        {
            FlushDirectories(Path.GetDirectoryName(fullPath)!, includeAncestors: false);
        }

        return Task.FromResult(deleted);
    }

    /// <summary>
    /// Deletes every artifact whose path starts with <paramref name="prefix"/> and returns how many; then removes
    /// the folders under the prefix that this left empty, and temp files older than
    /// <see cref="FileSystemArtifactStoreOptions.StaleTempFileAge"/>. An empty prefix is refused: purging
    /// everything is not something to do by accident.
    /// </summary>
    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var start = ResolvePrefix(prefix, allowEmpty: false);
        var scan = await Task.Run(() => Scan(prefix, start, cancellationToken), cancellationToken);

        var deleted = 0;
        foreach (var (relative, _) in scan.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FileSystemIo.TryRemoveFile(ToFullPath(relative)))
            {
                deleted++;
            }
        }

        var now = _time.GetUtcNow();
        foreach (var (relative, file) in scan.TempFiles)
        {
            // A young temp file belongs to a writer that is still running: leave it to finish.
            if (now - new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) >= _options.StaleTempFileAge)
            {
                FileSystemIo.TryDeleteFile(ToFullPath(relative));
                _logger.RemovedStaleTempFile(relative);
            }
        }

        // Deepest first, so a parent is empty by the time we reach it.
        var directories = scan.Directories;
        if (start.Relative.Length > 0 && (start.Relative + "/").StartsWith(prefix, StringComparison.Ordinal))
        {
            directories.Add(start.Relative);
        }

        foreach (var relative in directories.OrderByDescending(d => d.Length))
        {
            TryRemoveEmptyDirectory(ToFullPath(relative));
        }

        if (_options.FlushToDisk && deleted > 0)
        {
            // Removals are recorded in the folders that held them: the survivors, and the nearest
            // surviving ancestor of the folders that went away.
            var nearest = start.Full;
            while (!Directory.Exists(nearest) && nearest.Length > _root.Length)
            {
                nearest = Path.GetDirectoryName(nearest)!;
            }

            FileSystemIo.FlushDirectory(nearest);
            foreach (var survivor in directories.Select(ToFullPath).Where(Directory.Exists))
            {
                FileSystemIo.FlushDirectory(survivor);
            }
        }

        return deleted;
    }

    private async IAsyncEnumerable<ArtifactInfo> ListCoreAsync(
        string prefix, PrefixStart start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var scan = await Task.Run(() => Scan(prefix, start, cancellationToken), cancellationToken);
        foreach (var (relative, file) in scan.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ArtifactInfo(
                relative,
                file.Length,
                new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
                ArtifactContentTypes.FromPath(relative));
        }
    }

    /// <summary>Walks the folder the prefix lives in, without following links; files come back ordered by path.</summary>
    private ScanResult Scan(string prefix, PrefixStart start, CancellationToken cancellationToken)
    {
        var result = new ScanResult([], [], []);
        var pending = new Stack<(string Full, string Relative)>();
        pending.Push((start.Full, start.Relative));
        while (pending.TryPop(out var folder))
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(folder.Full).EnumerateFileSystemInfos("*", ShallowEnumeration).ToList();
            }
            catch (DirectoryNotFoundException)
            {
                continue; // never created, or removed by a concurrent purge
            }

            foreach (var entry in entries)
            {
                var relative = folder.Relative.Length == 0 ? entry.Name : folder.Relative + "/" + entry.Name;
                if ((entry.Attributes & FileAttributes.ReparsePoint) != 0 && entry.LinkTarget is not null)
                {
                    _logger.SkippedLink(relative);
                    continue;
                }

                if (entry is DirectoryInfo)
                {
                    if ((relative + "/").StartsWith(prefix, StringComparison.Ordinal))
                    {
                        result.Directories.Add(relative);
                        pending.Push((entry.FullName, relative));
                    }
                }
                else if (entry is FileInfo file && relative.StartsWith(prefix, StringComparison.Ordinal))
                {
                    if (FileSystemIo.IsTempName(entry.Name))
                    {
                        result.TempFiles.Add((relative, file));
                    }
                    else if (ArtifactPath.IsValid(relative))
                    {
                        result.Files.Add((relative, file));
                    }
                }
            }
        }

        result.Files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }

    /// <summary>Checks a prefix and finds the deepest folder it fully names (where listing starts).</summary>
    private PrefixStart ResolvePrefix(string prefix, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return allowEmpty
                ? new PrefixStart(_root, string.Empty)
                : throw new ArgumentException("A purge needs a prefix; refusing to delete every artifact.", nameof(prefix));
        }

        // "tasks/t1/" names a folder; "tasks/t1/res" a folder and the start of a name. Both must be valid paths.
        var body = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        var problem = ArtifactPath.Explain(body);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid artifact prefix: {problem}.", nameof(prefix));
        }

        var folder = prefix[..Math.Max(prefix.LastIndexOf('/'), 0)];
        if (folder.Length == 0)
        {
            return new PrefixStart(_root, string.Empty);
        }

        return new PrefixStart(ResolveSegments(folder, folder.Split('/'), nameof(prefix)), folder);
    }

    private string ResolveSegments(string path, string[] segments, string parameterName)
    {
        if (OperatingSystem.IsWindows() && segments.Any(FileSystemIo.IsReservedOnWindows))
        {
            throw new ArgumentException(
                $"Invalid artifact path: '{path}' uses a name Windows reserves for devices or rewrites.", parameterName);
        }

        // Defence in depth: whatever the rule let through must name exactly this file under the root.
        var expected = ToFullPath(path);
        var resolved = Path.GetFullPath(expected);
        if (!string.Equals(resolved, expected, StringComparison.Ordinal)
            || !resolved.StartsWith(_rootPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid artifact path: '{path}' does not resolve under the artifact root.", parameterName);
        }

        var link = FileSystemIo.FindLink(_root, segments);
        if (link is not null)
        {
            _logger.RefusedLinkedPath(path, link);
            throw new UnauthorizedAccessException(
                $"Artifact path '{path}' is refused: '{link}' under the artifact root is a symbolic link.");
        }

        return resolved;
    }

    private string ToFullPath(string relative) =>
        _rootPrefix + (Path.DirectorySeparatorChar == '/' ? relative : relative.Replace('/', Path.DirectorySeparatorChar));

    private static void TryRemoveEmptyDirectory(string fullPath)
    {
        try
        {
            Directory.Delete(fullPath, recursive: false);
        }
        catch (IOException)
        {
            // Not empty (a young temp file, something a writer just added) or already gone: leave it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void FlushDirectories(string directory, bool includeAncestors)
    {
        FileSystemIo.FlushDirectory(directory);
        if (!includeAncestors)
        {
            return;
        }

        // New folders are only durable once the folder holding each of them is flushed too.
        var current = Path.GetDirectoryName(directory);
        while (current is not null && current.Length >= _root.Length)
        {
            FileSystemIo.FlushDirectory(current);
            current = Path.GetDirectoryName(current);
        }
    }

    private readonly record struct PrefixStart(string Full, string Relative);

    private sealed record ScanResult(
        List<(string Path, FileInfo File)> Files,
        List<(string Path, FileInfo File)> TempFiles,
        List<string> Directories);
}
