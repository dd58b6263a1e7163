namespace AgentFunctions.Core.Storage;

/// <summary>How a <see cref="FileSystemDeadLetterStore"/> trades speed for safety.</summary>
public sealed class FileSystemDeadLetterStoreOptions
{
    /// <summary>fsync each record and its folder, so a stored record survives power loss. Off by default.</summary>
    public bool FlushToDisk { get; set; }
}
