namespace AgentFunctions.Core.Contracts;

/// <summary>One file in an <see cref="ArtifactListing"/>; <see cref="Path"/> is relative to the task's folder.</summary>
public sealed record ArtifactListingItem(string Path, long Length, DateTimeOffset? LastModified, string? ContentType);
