namespace AgentFunctions.Core.Storage;

/// <summary>How a <see cref="FileSystemArtifactStore"/> trades speed for safety.</summary>
public sealed class FileSystemArtifactStoreOptions
{
    /// <summary>
    /// fsync each file before publishing it and its directory after, so a write that returned survives
    /// power loss. Off by default: a process crash never loses a finished write either way.
    /// </summary>
    public bool FlushToDisk { get; set; }

    /// <summary>The largest artifact written (<c>Limits:MaxArtifactBytes</c>, 10 MiB by default; docs/configuration.md); null for no limit.</summary>
    public long? MaxArtifactBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>How old a temp file left by a crashed writer must be before a purge removes it.</summary>
    public TimeSpan StaleTempFileAge { get; set; } = TimeSpan.FromHours(1);
}
