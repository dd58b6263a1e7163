using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Logging;
using AgentFunctions.Core.Storage;
using AgentFunctions.Logging;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Storage;

/// <summary>
/// Dead-letter records as one JSON blob per record, <c>&lt;id&gt;.json</c>, in the <c>dead-letter</c> container.
/// Creation is exact across instances (a conditional upload with <c>If-None-Match: *</c>); replace only
/// overwrites a record that exists (<c>If-Match: *</c>), so a replace racing a delete cannot resurrect it.
/// </summary>
public sealed class BlobDeadLetterStore(BlobContainerClient container, ILogger<BlobDeadLetterStore>? logger = null) : IDeadLetterStore
{
    public const int MaxPageSize = 1000;

    private const string Extension = ".json";

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public BlobContainerClient Container => container;

    public async Task<bool> TryCreateAsync(DeadLetterRecord record, CancellationToken cancellationToken)
    {
        var blob = BlobFor(record);
        try
        {
            await blob.UploadAsync(Serialize(record), Options(new BlobRequestConditions { IfNoneMatch = ETag.All }), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false; // a re-run of the same write: the first record stands
        }
    }

    /// <exception cref="InvalidDataException">The stored blob is not a readable record.</exception>
    public async Task<DeadLetterRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        DeadLetterId.Require(id);
        return (await ReadAsync(container.GetBlobClient(id + Extension), id, cancellationToken))?.Record;
    }

    /// <summary>The record and the ETag it was read at; null when there is none.</summary>
    private static async Task<(DeadLetterRecord Record, ETag ETag)?> ReadAsync(BlobClient blob, string id, CancellationToken cancellationToken)
    {
        BlobDownloadResult content;
        try
        {
            content = (await blob.DownloadContentAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        return (DeadLetterRecord.Deserialize(id, content.Content.ToMemory().Span), content.Details.ETag);
    }

    /// <summary>Read, then write with If-Match on what was read: of concurrent callers (any instance) one wins, the others re-read it linked.</summary>
    public async Task<bool> TryLinkReplayAsync(string id, string taskId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        DeadLetterId.Require(id);
        var blob = container.GetBlobClient(id + Extension);
        while (true)
        {
            if (await ReadAsync(blob, id, cancellationToken) is not ({ ReplayedAs: null } record, var etag))
            {
                return false; // gone, or linked already
            }

            try
            {
                var linked = record with { ReplayedAs = taskId, ReplayedAt = at };
                await blob.UploadAsync(Serialize(linked), Options(new BlobRequestConditions { IfMatch = etag }), cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Changed (or deleted) since it was read: read it again.
            }
        }
    }

    public async Task<bool> ReplaceAsync(DeadLetterRecord record, CancellationToken cancellationToken)
    {
        var blob = BlobFor(record);
        try
        {
            await blob.UploadAsync(Serialize(record), Options(new BlobRequestConditions { IfMatch = ETag.All }), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false; // deleted meanwhile: replacing must not bring it back
        }
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        DeadLetterId.Require(id);
        var deleted = await container.DeleteBlobIfExistsAsync(id + Extension, DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken);
        return deleted.Value;
    }

    /// <summary>
    /// One page of blobs (ordered by name, hence by id), read and filtered by task id and role. The continuation
    /// token is the storage service's own, so a page holds at most <see cref="DeadLetterQuery.Top"/> records and
    /// may hold fewer when a filter skips some. Unreadable blobs are skipped and logged.
    /// </summary>
    public async Task<DeadLetterPage> ListAsync(DeadLetterQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var top = Math.Clamp(query.Top, 1, MaxPageSize);
        // Records of a task share the id prefix "<taskId>~" (ArtifactLayout.DeadLetterId).
        var prefix = string.IsNullOrEmpty(query.TaskId) ? null : query.TaskId + "~";
        var token = DecodeToken(query.ContinuationToken);
        var pages = container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).AsPages(token, top);

        var items = new List<DeadLetterRecord>();
        string? next = null;
        try
        {
            await foreach (var page in pages.WithCancellation(cancellationToken))
            {
                foreach (var blob in page.Values)
                {
                    if (await TryLoadAsync(blob.Name, cancellationToken) is { } record && query.Matches(record))
                    {
                        items.Add(record);
                    }
                }

                next = page.ContinuationToken;
                break; // one service page per API page
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 400 && token is not null)
        {
            throw ContinuationTokens.Invalid(ex);
        }

        return new DeadLetterPage(items, EncodeToken(next));
    }

    private static string? EncodeToken(string? token) =>
        string.IsNullOrEmpty(token) ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token));

    private static string? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException ex)
        {
            throw ContinuationTokens.Invalid(ex);
        }
    }

    private async Task<DeadLetterRecord?> TryLoadAsync(string blobName, CancellationToken cancellationToken)
    {
        if (!blobName.EndsWith(Extension, StringComparison.Ordinal) || !DeadLetterId.IsValid(blobName[..^Extension.Length]))
        {
            return null;
        }

        var id = blobName[..^Extension.Length];
        try
        {
            return await GetAsync(id, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            _logger.SkippedUnreadableDeadLetter(id, ex);
            return null;
        }
    }

    private BlobClient BlobFor(DeadLetterRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return container.GetBlobClient(DeadLetterId.Require(record.Id, nameof(record)) + Extension);
    }

    private static BinaryData Serialize(DeadLetterRecord record) =>
        BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(record, CoreJson.Indented));

    private static BlobUploadOptions Options(BlobRequestConditions conditions) => new()
    {
        Conditions = conditions,
        HttpHeaders = new BlobHttpHeaders { ContentType = ArtifactContentTypes.Json },
    };
}
