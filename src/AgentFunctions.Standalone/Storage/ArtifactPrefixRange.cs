namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// The artifact paths that start with a prefix, as a key range of the <c>artifacts</c> table: from the prefix up to
/// (not including) the prefix with its last character raised by one, or to the end for an empty prefix. SQLite's
/// binary collation orders UTF-8 by code point, so the range is exactly the paths with the prefix.
/// </summary>
public readonly record struct ArtifactPrefixRange(string Low, string? High)
{
    public static ArtifactPrefixRange Of(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return prefix.Length == 0
            ? new ArtifactPrefixRange(string.Empty, null)
            : new ArtifactPrefixRange(prefix, string.Concat(prefix.AsSpan(0, prefix.Length - 1), ((char)(prefix[^1] + 1)).ToString()));
    }
}
