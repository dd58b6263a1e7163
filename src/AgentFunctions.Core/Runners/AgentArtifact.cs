using System.Text.Json.Serialization;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// A named file an agent returns with its result; <see cref="Encoding"/> is utf-8 or base64. A base64 artifact read
/// from JSON is decoded on arrival and held as bytes only (see <see cref="AgentArtifactJsonConverter"/>): a 10 MiB file
/// then costs 10 MiB, not a 27 MiB base64 string plus its decoded copies.
/// </summary>
[JsonConverter(typeof(AgentArtifactJsonConverter))]
public sealed record AgentArtifact
{
    private readonly byte[]? _bytes;

    public required string Name { get; init; }

    /// <summary>The text (utf-8) or the base64 text (base64); empty when the artifact holds its bytes (<see cref="FromBytes"/>).</summary>
    public string Content { get; init; } = string.Empty;

    public string Encoding { get; init; } = "utf-8";

    public string? ContentType { get; init; }

    /// <summary>Whether the content is held decoded (written back to JSON as base64).</summary>
    public bool HoldsBytes => _bytes is not null;

    /// <summary>A base64 artifact holding its bytes. The array is the artifact's from now on: callers do not change it.</summary>
    public static AgentArtifact FromBytes(string name, byte[] bytes, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new AgentArtifact { Name = name, Encoding = "base64", ContentType = contentType, Bytes = bytes };
    }

    /// <summary>
    /// The bytes of the artifact; throws <see cref="FormatException"/> for bad base64. For an artifact that holds its
    /// bytes this is that array, not a copy: read it, do not change it.
    /// </summary>
    public byte[] GetBytes() => _bytes
        ?? (string.Equals(Encoding, "base64", StringComparison.OrdinalIgnoreCase)
            ? Convert.FromBase64String(Content)
            : System.Text.Encoding.UTF8.GetBytes(Content));

    /// <summary>The size of the content in bytes; throws <see cref="FormatException"/> for bad base64.</summary>
    public long GetSize() => _bytes?.LongLength
        ?? (string.Equals(Encoding, "base64", StringComparison.OrdinalIgnoreCase)
            ? GetBytes().LongLength
            : System.Text.Encoding.UTF8.GetByteCount(Content));

    private byte[]? Bytes
    {
        init => _bytes = value;
    }
}
