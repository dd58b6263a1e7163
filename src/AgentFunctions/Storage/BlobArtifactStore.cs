using System.Runtime.CompilerServices;
using AgentFunctions.Core.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AgentFunctions.Storage;

/// <summary>
/// Artifacts as block blobs in the <c>artifacts</c> container, named by their <see cref="ArtifactLayout"/> path.
/// One Put Blob per write is atomic: readers see the old content or the new. The content type is stored
/// on the blob, so downloads carry what the writer said.
/// </summary>
public sealed class BlobArtifactStore(BlobContainerClient container, long? maxArtifactBytes = null) : IArtifactStore
{
    public BlobContainerClient Container => container;

    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, string? contentType, CancellationToken cancellationToken)
    {
        ArtifactPath.Require(path);
        if (maxArtifactBytes is { } max && content.Length > max)
        {
            throw new ArgumentOutOfRangeException(
                nameof(content), content.Length, $"The artifact '{path}' is {content.Length} bytes; the limit is {max}.");
        }

        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType ?? ArtifactContentTypes.FromPath(path) },
        };
        await container.GetBlobClient(path).UploadAsync(BinaryData.FromBytes(content), options, cancellationToken);
    }

    public async Task<ArtifactContent?> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        ArtifactPath.Require(path);
        try
        {
            var download = await container.GetBlobClient(path).DownloadStreamingAsync(options: null, cancellationToken);
            var details = download.Value.Details;
            var info = new ArtifactInfo(
                path,
                details.ContentLength,
                details.LastModified,
                string.IsNullOrEmpty(details.ContentType) ? ArtifactContentTypes.FromPath(path) : details.ContentType);
            return new ArtifactContent(download.Value.Content, info);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        ArtifactPath.Require(path);
        var exists = await container.GetBlobClient(path).ExistsAsync(cancellationToken);
        return exists.Value;
    }

    public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        // Validate now, not on the first MoveNextAsync, so a bad prefix fails where it is passed.
        CheckPrefix(prefix, allowEmpty: true);
        return ListCoreAsync(prefix, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        ArtifactPath.Require(path);
        var deleted = await container.DeleteBlobIfExistsAsync(path, DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken);
        return deleted.Value;
    }

    /// <summary>Deletes every blob under a non-empty prefix; purging the whole container is refused.</summary>
    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        CheckPrefix(prefix, allowEmpty: false);
        var paths = new List<string>();
        await foreach (var info in ListCoreAsync(prefix, cancellationToken))
        {
            paths.Add(info.Path);
        }

        var deleted = 0;
        foreach (var path in paths)
        {
            var response = await container.DeleteBlobIfExistsAsync(path, DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken);
            if (response.Value)
            {
                deleted++;
            }
        }

        return deleted;
    }

    private async IAsyncEnumerable<ArtifactInfo> ListCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var blobs = container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken);
        await foreach (var blob in blobs.WithCancellation(cancellationToken))
        {
            // Blobs written by other tools under names the layout cannot address are left out, as on disk.
            if (!ArtifactPath.IsValid(blob.Name))
            {
                continue;
            }

            var properties = blob.Properties;
            yield return new ArtifactInfo(
                blob.Name,
                properties?.ContentLength ?? 0,
                properties?.LastModified ?? DateTimeOffset.MinValue,
                string.IsNullOrEmpty(properties?.ContentType) ? ArtifactContentTypes.FromPath(blob.Name) : properties.ContentType);
        }
    }

    private static void CheckPrefix(string prefix, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            if (!allowEmpty)
            {
                throw new ArgumentException("A purge needs a prefix; refusing to delete every artifact.", nameof(prefix));
            }

            return;
        }

        var body = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        if (ArtifactPath.Explain(body) is { } problem)
        {
            throw new ArgumentException($"Invalid artifact prefix: {problem}.", nameof(prefix));
        }
    }
}
