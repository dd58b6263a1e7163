namespace AgentFunctions.Core.Contracts;

/// <summary><c>GET /api/tasks/{id}/artifacts</c>: every file of the task, paths relative to its folder (<c>results/review.md</c>).</summary>
public sealed record ArtifactListing(string TaskId, IReadOnlyList<ArtifactListingItem> Items);
