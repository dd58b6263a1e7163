namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// An artifact row: its layout path and either its bytes (<paramref name="Content"/>) or the file under
/// <c>artifacts/</c> that holds them (<paramref name="File"/>, already written and flushed).
/// </summary>
public sealed record StoredArtifact(string Path, byte[]? Content, string? File, long Length);
