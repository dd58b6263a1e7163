namespace AgentFunctions.Core.Storage;

public sealed record ArtifactInfo(string Path, long Length, DateTimeOffset LastModified, string? ContentType);
