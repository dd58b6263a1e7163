using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AgentFunctions.Core.Storage;

namespace AgentFunctions.Tests.Support;

/// <summary>An <see cref="IArtifactStore"/> in a dictionary, with the same path rule as the real stores.</summary>
internal sealed class InMemoryArtifactStore : IArtifactStore
{
    public ConcurrentDictionary<string, (byte[] Content, string? ContentType)> Files { get; } = new(StringComparer.Ordinal);

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, string? contentType, CancellationToken cancellationToken)
    {
        Files[ArtifactPath.Require(path)] = (content.ToArray(), contentType);
        return Task.CompletedTask;
    }

    public Task<ArtifactContent?> OpenReadAsync(string path, CancellationToken cancellationToken) =>
        Task.FromResult(Files.TryGetValue(ArtifactPath.Require(path), out var file)
            ? new ArtifactContent(new MemoryStream(file.Content), new ArtifactInfo(path, file.Content.Length, DateTimeOffset.UnixEpoch, file.ContentType))
            : null);

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken) => Task.FromResult(Files.ContainsKey(path));

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var (path, file) in Files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            yield return new ArtifactInfo(path, file.Content.Length, DateTimeOffset.UnixEpoch, file.ContentType);
        }
    }

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken) => Task.FromResult(Files.TryRemove(path, out _));

    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var paths = Files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        paths.ForEach(p => Files.TryRemove(p, out _));
        return Task.FromResult(paths.Count);
    }

    public string Text(string path) => System.Text.Encoding.UTF8.GetString(Files[path].Content);
}
