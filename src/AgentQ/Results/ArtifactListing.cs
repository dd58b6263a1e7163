namespace AgentQ.Results;

/// <summary><c>GET /api/tasks/{id}/artifacts</c>: <c>{ taskId, items: [{ path, length, lastModified, contentType }] }</c>, paths relative to the task.</summary>
public sealed record ArtifactListing(string TaskId, IReadOnlyList<ArtifactListingItem> Items);
