namespace AgentFunctions.Core.Runners;

/// <summary>A file in an artifacts directory that was not taken as an artifact, and why.</summary>
public sealed record SkippedArtifact(string Name, string Reason)
{
    /// <summary>The sentence appended to the result so the reader learns what went missing.</summary>
    public string Note => $"Skipped the artifact file '{Name}': {Reason}.";
}
