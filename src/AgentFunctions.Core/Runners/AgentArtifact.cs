namespace AgentFunctions.Core.Runners;

/// <summary>A named file an agent returns with its result; <see cref="Encoding"/> is utf-8 or base64.</summary>
public sealed record AgentArtifact
{
    public required string Name { get; init; }

    public required string Content { get; init; }

    public string Encoding { get; init; } = "utf-8";

    public string? ContentType { get; init; }

    /// <summary>The bytes of the artifact; throws <see cref="FormatException"/> for bad base64.</summary>
    public byte[] GetBytes() => string.Equals(Encoding, "base64", StringComparison.OrdinalIgnoreCase)
        ? Convert.FromBase64String(Content)
        : System.Text.Encoding.UTF8.GetBytes(Content);
}
