namespace AgentFunctions.Core.Storage;

/// <summary>Content types of artifacts, inferred from the name where a store keeps no metadata.</summary>
public static class ArtifactContentTypes
{
    public const string Markdown = "text/markdown; charset=utf-8";
    public const string Json = "application/json";
    public const string PlainText = "text/plain; charset=utf-8";
    public const string Binary = "application/octet-stream";

    /// <summary>The content type of an artifact by its extension; anything unknown is opaque bytes.</summary>
    public static string FromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var extension = Path.GetExtension(path.AsSpan());
        if (extension.Equals(".md", StringComparison.OrdinalIgnoreCase))
        {
            return Markdown;
        }

        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return Json;
        }

        if (extension.Equals(".txt", StringComparison.OrdinalIgnoreCase) || extension.Equals(".log", StringComparison.OrdinalIgnoreCase))
        {
            return PlainText;
        }

        return Binary;
    }
}
