namespace AgentFunctions.Core.Runners;

/// <summary>What <see cref="ArtifactDirectory.Collect"/> found: the artifacts, and the files it had to leave out.</summary>
public sealed record ArtifactCollection(IReadOnlyList<AgentArtifact> Artifacts, IReadOnlyList<SkippedArtifact> Skipped);
