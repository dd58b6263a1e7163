namespace AgentQ.Results;

public sealed record ArtifactListingItem(string Path, long Length, DateTimeOffset? LastModified, string? ContentType);
