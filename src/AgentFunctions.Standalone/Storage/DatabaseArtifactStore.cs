using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AgentFunctions.Core.Storage;
using AgentFunctions.Standalone.Engine;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// The Standalone engine's artifacts: rows of the <c>artifacts</c> table, written in the same commit as the state
/// change that produced them, so a task's artifacts are durable and readable exactly when its state is. Artifacts up
/// to <see cref="InlineMaxBytes"/> are BLOBs in the row; larger ones are files under <c>artifacts/</c>
/// (<c>tasks/&lt;id&gt;/blobs/&lt;name&gt;</c>), written and flushed before the commit whose row names them. A path
/// without a row is looked up as a file in the layout under <c>artifacts/</c>, where earlier versions wrote every
/// artifact, so existing data directories keep reading.
/// </summary>
public sealed class DatabaseArtifactStore : IArtifactStore
{
    /// <summary>
    /// The largest artifact kept in the database itself. Below it one row costs less than creating a file; above it
    /// the bytes would dominate the write-ahead log and every checkpoint.
    /// </summary>
    public const int InlineMaxBytes = 256 * 1024;

    /// <summary>The folder, inside a task's artifact folder, of the files that hold large artifacts.</summary>
    private const string BlobFolder = "blobs";

    private readonly TaskDatabase _database;
    private readonly Journal _journal;
    private readonly FileSystemArtifactStore _files;
    private readonly FileSystemArtifactStore _flushedFiles;
    private readonly long? _maxArtifactBytes;

    /// <param name="files">The <c>artifacts/</c> folder: files from before, large artifacts, the mirror.</param>
    /// <param name="flushedFiles">The same folder, writing with a flush of every file (large artifacts, before their commit).</param>
    public DatabaseArtifactStore(TaskDatabase database, Journal journal, FileSystemArtifactStore files, FileSystemArtifactStore flushedFiles, long? maxArtifactBytes)
    {
        _database = database;
        _journal = journal;
        _files = files;
        _flushedFiles = flushedFiles;
        _maxArtifactBytes = maxArtifactBytes;
    }

    /// <summary>The artifact as a row for a commit: its bytes when small, otherwise a file written and flushed now.</summary>
    public async Task<StoredArtifact> StageAsync(ArtifactFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArtifactPath.Require(file.Path);
        if (_maxArtifactBytes is { } max && file.Content.Length > max)
        {
            throw new ArgumentOutOfRangeException(nameof(file), file.Content.Length, $"The artifact '{file.Path}' is {file.Content.Length} bytes; the limit is {max}.");
        }

        if (file.Content.Length <= InlineMaxBytes)
        {
            // The rendered bytes are usually a whole array already: no second copy of them.
            var bytes = MemoryMarshal.TryGetArray(file.Content, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : file.Content.ToArray();
            return new StoredArtifact(file.Path, bytes, null, file.Content.Length);
        }

        // A fresh name for every write: an attempt that turns out stale never overwrites the file an accepted row names.
        var name = BlobPrefix(file.Path) + Guid.NewGuid().ToString("N");
        await _flushedFiles.WriteAsync(name, file.Content, file.ContentType, cancellationToken);
        return new StoredArtifact(file.Path, null, name, file.Content.Length);
    }

    /// <summary>As <see cref="StageAsync(ArtifactFile, CancellationToken)"/> for each file, in order.</summary>
    public async Task<IReadOnlyList<StoredArtifact>> StageAsync(IReadOnlyList<ArtifactFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var staged = new List<StoredArtifact>(files.Count);
        try
        {
            foreach (var file in files)
            {
                staged.Add(await StageAsync(file, cancellationToken));
            }
        }
        catch
        {
            await DropStagedAsync(staged);
            throw;
        }

        return staged;
    }

    /// <summary>Deletes the files of staged artifacts whose commit did not happen (a stale report, a refused commit).</summary>
    public async Task DropStagedAsync(IEnumerable<StoredArtifact> staged)
    {
        ArgumentNullException.ThrowIfNull(staged);
        foreach (var artifact in staged)
        {
            if (artifact.File is { } file)
            {
                await _files.DeleteAsync(file, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Deletes the files in the tasks' blob folders that no row names: written for a commit that never happened (the
    /// process died in between) or left half-written. Run at start, before anything is staged; returns how many.
    /// </summary>
    public int RemoveUnnamedFiles()
    {
        var tasks = Path.Combine(_files.RootPath, "tasks");
        if (!Directory.Exists(tasks))
        {
            return 0;
        }

        using var connection = _database.Open();
        using var named = connection.CreateCommand();
        named.CommandText = "SELECT EXISTS (SELECT 1 FROM artifacts WHERE file = $file)";
        var parameter = named.Parameters.Add("$file", SqliteType.Text);
        var removed = 0;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            var blobs = Path.Combine(task, BlobFolder);
            if (!Directory.Exists(blobs))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(blobs))
            {
                parameter.Value = $"tasks/{Path.GetFileName(task)}/{BlobFolder}/{Path.GetFileName(file)}";
                if ((long)named.ExecuteScalar()! == 0)
                {
                    File.Delete(file);
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>A small artifact as a row (spec, context, result.json: made on the journal's thread).</summary>
    public static StoredArtifact Inline(string path, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new StoredArtifact(path, content, null, content.Length);
    }

    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, string? contentType, CancellationToken cancellationToken)
    {
        var staged = await StageAsync(new ArtifactFile(path, content, contentType), cancellationToken);
        var replaced = Find(path);
        try
        {
            await _journal.ExecuteAsync(context =>
            {
                context.PutArtifacts(TaskIdOf(path), [staged]);
                return true;
            });
        }
        catch
        {
            await DropStagedAsync([staged]);
            throw;
        }

        if (replaced?.File is { } old)
        {
            await _files.DeleteAsync(old, CancellationToken.None);
        }
    }

    public async Task<ArtifactContent?> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        ArtifactPath.Require(path);
        cancellationToken.ThrowIfCancellationRequested();
        if (Find(path) is { } row)
        {
            var info = new ArtifactInfo(path, row.Length, row.WrittenAt, ArtifactContentTypes.FromPath(path));
            if (row.Content is { } bytes)
            {
                return new ArtifactContent(new MemoryStream(bytes, writable: false), info);
            }

            // A large artifact: its file was flushed before the row was committed.
            var file = await _files.OpenReadAsync(row.File!, cancellationToken);
            return file is null ? null : new ArtifactContent(file.Content, info);
        }

        return IsBlobFile(path) ? null : await _files.OpenReadAsync(path, cancellationToken);
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        ArtifactPath.Require(path);
        return Find(path) is not null || (!IsBlobFile(path) && await _files.ExistsAsync(path, cancellationToken));
    }

    /// <summary>The rows under the prefix and the files from before that have no row, ordered by path.</summary>
    public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        // The file store checks the prefix now, so a bad one fails where it is passed.
        var files = _files.ListAsync(prefix, cancellationToken);
        return ListCoreAsync(prefix, files, cancellationToken);
    }

    private async IAsyncEnumerable<ArtifactInfo> ListCoreAsync(string prefix, IAsyncEnumerable<ArtifactInfo> fileListing, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listed = ListRows(prefix).ToDictionary(info => info.Path, StringComparer.Ordinal);
        var files = new List<ArtifactInfo>();

        // Most tasks have no files at all: no walk (and no exception for the missing folder) for them.
        var folder = prefix[..Math.Max(prefix.LastIndexOf('/'), 0)];
        var walk = Directory.Exists(Path.Combine(_files.RootPath, folder)) ? fileListing : AsyncEnumerable.Empty<ArtifactInfo>();
        await foreach (var file in walk.WithCancellation(cancellationToken))
        {
            if (!IsBlobFile(file.Path) && !listed.ContainsKey(file.Path))
            {
                files.Add(file);
            }
        }

        foreach (var info in listed.Values.Concat(files).OrderBy(info => info.Path, StringComparer.Ordinal))
        {
            yield return info;
        }
    }

    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        ArtifactPath.Require(path);
        var row = Find(path);
        if (row is not null)
        {
            await _journal.ExecuteAsync(context =>
            {
                context.DeleteArtifact(path);
                return true;
            });
            if (row.File is { } file)
            {
                await _files.DeleteAsync(file, cancellationToken);
            }
        }

        var deletedFile = !IsBlobFile(path) && await _files.DeleteAsync(path, cancellationToken);
        return row is not null || deletedFile;
    }

    /// <summary>Deletes the rows under the prefix in one commit, then every file under it (from before, large ones, the mirror).</summary>
    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var rows = ListRows(prefix).Count;
        if (rows > 0)
        {
            await _journal.ExecuteAsync(context =>
            {
                context.DeleteArtifacts(prefix);
                return true;
            });
        }

        var files = 0;
        await foreach (var file in _files.ListAsync(prefix, cancellationToken))
        {
            if (!IsBlobFile(file.Path))
            {
                files++;
            }
        }

        await _files.DeletePrefixAsync(prefix, cancellationToken);
        return rows + files;
    }

    /// <summary>The id in <c>tasks/&lt;id&gt;/...</c>, or the whole first segments for a path outside any task.</summary>
    internal static string TaskIdOf(string path)
    {
        var parts = path.Split('/', 3);
        return parts.Length == 3 && parts[0] == "tasks" ? parts[1] : path;
    }

    /// <summary>Where a large artifact's files go: the blob folder of its task.</summary>
    private static string BlobPrefix(string path)
    {
        var parts = path.Split('/', 3);
        return parts.Length == 3 && parts[0] == "tasks" ? $"tasks/{parts[1]}/{BlobFolder}/" : BlobFolder + "/";
    }

    /// <summary>A file that holds a large artifact: reachable only through the row that names it.</summary>
    private static bool IsBlobFile(string path)
    {
        var parts = path.Split('/', 4);
        return (parts.Length == 4 && parts[0] == "tasks" && parts[2] == BlobFolder) || (parts.Length == 2 && parts[0] == BlobFolder);
    }

    private Row? Find(string path)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT content, file, length, written_at FROM artifacts WHERE path = $path";
        command.Parameters.AddWithValue("$path", path);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new Row(
            reader.IsDBNull(0) ? null : reader.GetFieldValue<byte[]>(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.GetInt64(2),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
    }

    private List<ArtifactInfo> ListRows(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var range = ArtifactPrefixRange.Of(prefix);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT path, length, written_at FROM artifacts WHERE {range.Condition} ORDER BY path";
        range.Bind(command);
        using var reader = command.ExecuteReader();
        var rows = new List<ArtifactInfo>();
        while (reader.Read())
        {
            var path = reader.GetString(0);
            rows.Add(new ArtifactInfo(path, reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), ArtifactContentTypes.FromPath(path)));
        }

        return rows;
    }

    private sealed record Row(byte[]? Content, string? File, long Length, DateTimeOffset WrittenAt);
}
