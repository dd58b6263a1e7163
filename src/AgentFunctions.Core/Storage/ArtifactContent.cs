namespace AgentFunctions.Core.Storage;

/// <summary>An open artifact; the caller disposes it.</summary>
public sealed class ArtifactContent(Stream content, ArtifactInfo info) : IAsyncDisposable, IDisposable
{
    public Stream Content { get; } = content;

    public ArtifactInfo Info { get; } = info;

    public ValueTask DisposeAsync() => Content.DisposeAsync();

    public void Dispose() => Content.Dispose();
}
