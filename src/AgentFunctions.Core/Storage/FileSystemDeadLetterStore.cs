using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Core.Storage;

/// <summary>
/// Dead-letter records as one JSON file per record, <c>&lt;id&gt;.json</c>, in one folder. Every write goes
/// to a temp file first and is published with one rename or link, so a reader never sees half a record.
/// </summary>
/// <remarks>
/// Creation is exact across processes (hard link, which fails when the name is taken). Replace and delete
/// are exact within the process; across processes a delete racing a replace may leave the replaced record.
/// </remarks>
public sealed class FileSystemDeadLetterStore : IDeadLetterStore
{
    public const int MaxPageSize = 1000;

    private const string Extension = ".json";

    private static readonly EnumerationOptions ShallowEnumeration = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        MatchType = MatchType.Simple,
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _directory;
    private readonly FileSystemDeadLetterStoreOptions _options;
    private readonly ILogger _logger;

    // Serializes the check-then-rename of replace and delete (and creation where hard links are missing).
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _linkGate = new(1, 1);

    public FileSystemDeadLetterStore(
        string directory,
        FileSystemDeadLetterStoreOptions? options = null,
        ILogger<FileSystemDeadLetterStore>? logger = null)
    {
        _directory = FileSystemIo.NormalizeRoot(directory);
        _options = options ?? new FileSystemDeadLetterStoreOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Directory.CreateDirectory(_directory);
    }

    public async Task<bool> TryCreateAsync(DeadLetterRecord record, CancellationToken cancellationToken)
    {
        var target = RecordPath(record);
        if (FileSystemIo.Exists(target))
        {
            return false; // the common re-run: skip writing a temp file at all
        }

        var tempPath = await WriteTempAsync(record, cancellationToken);
        bool created;
        lock (_gate)
        {
            created = FileSystemIo.MoveIfAbsent(tempPath, target);
        }

        if (created && _options.FlushToDisk)
        {
            FileSystemIo.FlushDirectory(_directory);
        }

        return created;
    }

    /// <summary>The record, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The stored file is not a readable record.</exception>
    public async Task<DeadLetterRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var path = PathFor(DeadLetterId.Require(id));
        if (FileSystemIo.IsLink(path))
        {
            throw new UnauthorizedAccessException($"Dead-letter record '{id}' is refused: its file is a symbolic link.");
        }

        var bytes = await FileSystemIo.TryReadAllBytesAsync(path, cancellationToken);
        return bytes is null ? null : DeadLetterRecord.Deserialize(id, bytes);
    }

    /// <summary>One link at a time in this process, which is the only one that writes this directory (its lock says so).</summary>
    public async Task<bool> TryLinkReplayAsync(string id, string taskId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _linkGate.WaitAsync(cancellationToken);
        try
        {
            return await GetAsync(id, cancellationToken) is { ReplayedAs: null } record
                && await ReplaceAsync(record with { ReplayedAs = taskId, ReplayedAt = at }, cancellationToken);
        }
        finally
        {
            _linkGate.Release();
        }
    }

    public async Task<bool> ReplaceAsync(DeadLetterRecord record, CancellationToken cancellationToken)
    {
        var target = RecordPath(record);
        if (!File.Exists(target))
        {
            return false;
        }

        var tempPath = await WriteTempAsync(record, cancellationToken);
        lock (_gate)
        {
            if (!File.Exists(target))
            {
                FileSystemIo.TryDeleteFile(tempPath);
                return false; // deleted while we wrote: replacing must not bring it back
            }

            try
            {
                FileSystemIo.MoveOver(tempPath, target);
            }
            catch
            {
                FileSystemIo.TryDeleteFile(tempPath);
                throw;
            }
        }

        if (_options.FlushToDisk)
        {
            FileSystemIo.FlushDirectory(_directory);
        }

        return true;
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var path = PathFor(DeadLetterId.Require(id));
        cancellationToken.ThrowIfCancellationRequested();
        bool deleted;
        lock (_gate)
        {
            deleted = FileSystemIo.TryRemoveFile(path);
        }

        if (deleted && _options.FlushToDisk)
        {
            FileSystemIo.FlushDirectory(_directory);
        }

        return Task.FromResult(deleted);
    }

    /// <summary>
    /// Records ordered by id (ordinal), filtered by task id and role when given, <see cref="DeadLetterQuery.Top"/>
    /// (clamped to 1..<see cref="MaxPageSize"/>) at a time. The token is opaque; it is null on the last page.
    /// A record file that cannot be read is skipped (and logged) so one bad file does not hide the rest.
    /// </summary>
    /// <exception cref="ArgumentException">The continuation token did not come from this store.</exception>
    public async Task<DeadLetterPage> ListAsync(DeadLetterQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var top = Math.Clamp(query.Top, 1, MaxPageSize);
        var after = DecodeToken(query.ContinuationToken);
        var ids = await Task.Run(() => ListIds(after), cancellationToken);

        var items = new List<DeadLetterRecord>(Math.Min(top, ids.Count));
        string? continuationToken = null;
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = await TryLoadForListingAsync(id, cancellationToken);
            if (record is null || !query.Matches(record))
            {
                continue;
            }

            if (items.Count == top)
            {
                // One more match exists past this page, so there is a next page to point at.
                continuationToken = EncodeToken(items[^1].Id);
                break;
            }

            items.Add(record);
        }

        return new DeadLetterPage(items, continuationToken);
    }

    internal static string EncodeToken(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastId));

    private static string? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        string id;
        try
        {
            id = StrictUtf8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            throw ContinuationTokens.Invalid(ex);
        }

        return DeadLetterId.IsValid(id) ? id : throw ContinuationTokens.Invalid();
    }

    private async Task<DeadLetterRecord?> TryLoadForListingAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync(id, cancellationToken); // null when deleted since the listing
        }
        catch (Exception ex) when (ex is InvalidDataException or UnauthorizedAccessException or IOException)
        {
            _logger.SkippedUnreadableDeadLetter(id, ex);
            return null;
        }
    }

    private List<string> ListIds(string? after)
    {
        var ids = new List<string>();
        IEnumerable<FileInfo> files;
        try
        {
            files = new DirectoryInfo(_directory).EnumerateFiles("*" + Extension, ShallowEnumeration).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return ids;
        }

        foreach (var file in files)
        {
            if (FileSystemIo.IsTempName(file.Name) || (file.Attributes & FileAttributes.ReparsePoint) != 0
                || !file.Name.EndsWith(Extension, StringComparison.Ordinal))
            {
                continue;
            }

            var id = file.Name[..^Extension.Length];
            if (DeadLetterId.IsValid(id) && (after is null || string.CompareOrdinal(id, after) > 0))
            {
                ids.Add(id);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    private string RecordPath(DeadLetterRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return PathFor(DeadLetterId.Require(record.Id, nameof(record)));
    }

    private string PathFor(string id)
    {
        var fileName = id + Extension;
        if (OperatingSystem.IsWindows() && FileSystemIo.IsReservedOnWindows(fileName))
        {
            throw new ArgumentException($"Invalid dead-letter id '{id}': Windows reserves that name for a device.", nameof(id));
        }

        return Path.Join(_directory, fileName);
    }

    private async Task<string> WriteTempAsync(DeadLetterRecord record, CancellationToken cancellationToken)
    {
        // Indented: the same dialect as CoreJson.Options, laid out for people reading the folder.
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, CoreJson.Indented);
        Directory.CreateDirectory(_directory);
        return await FileSystemIo.WriteTempFileAsync(_directory, bytes, _options.FlushToDisk, cancellationToken);
    }
}
