namespace AgentFunctions.Core.Storage;

/// <summary>
/// Task artifacts in the layout of <see cref="ArtifactLayout"/>. Paths are validated with
/// <see cref="ArtifactPath"/>; writes are atomic (a reader sees the old content or the new, never half).
/// </summary>
public interface IArtifactStore
{
    Task WriteAsync(string path, ReadOnlyMemory<byte> content, string? contentType, CancellationToken cancellationToken);

    /// <summary>Opens an artifact for reading, or null when it does not exist.</summary>
    Task<ArtifactContent?> OpenReadAsync(string path, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken);

    /// <summary>Artifacts whose path starts with <paramref name="prefix"/>, ordered by path.</summary>
    IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>Deletes everything under <paramref name="prefix"/> (a task purge); returns how many.</summary>
    Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken);
}
