namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// The artifact paths that start with a prefix, as a key range of the <c>artifacts</c> table: from the prefix up to
/// (not including) the prefix with its last character raised by one, or to the end for an empty prefix. SQLite's
/// binary collation orders UTF-8 by code point, so the range is exactly the paths with the prefix.
/// </summary>
public readonly record struct ArtifactPrefixRange(string Low, string? High)
{
    /// <summary>
    /// The WHERE condition on <c>path</c>, with parameters <c>$low</c> and (when bounded) <c>$high</c>. Written out
    /// for each case: an "OR $high IS NULL" would keep SQLite from using the upper bound and scan to the table's end.
    /// </summary>
    public string Condition => High is null ? "path >= $low" : "path >= $low AND path < $high";

    public void Bind(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Parameters.AddWithValue("$low", Low);
        if (High is not null)
        {
            command.Parameters.AddWithValue("$high", High);
        }
    }

    public static ArtifactPrefixRange Of(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return prefix.Length == 0
            ? new ArtifactPrefixRange(string.Empty, null)
            : new ArtifactPrefixRange(prefix, string.Concat(prefix.AsSpan(0, prefix.Length - 1), ((char)(prefix[^1] + 1)).ToString()));
    }
}
