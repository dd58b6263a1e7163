namespace AgentFunctions.Core.Storage;

/// <summary>One artifact to store: where it goes in the layout and its bytes.</summary>
public sealed record ArtifactFile(string Path, ReadOnlyMemory<byte> Content, string? ContentType);
