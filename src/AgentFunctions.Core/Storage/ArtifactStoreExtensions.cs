using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Json;

namespace AgentFunctions.Core.Storage;

/// <summary>Text and JSON over <see cref="IArtifactStore"/>: UTF-8 without BOM, JSON in the contract dialect.</summary>
public static class ArtifactStoreExtensions
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes text as UTF-8; the content type defaults to the one the extension implies.</summary>
    public static Task WriteTextAsync(
        this IArtifactStore store, string path, string text, string? contentType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(text);
        return store.WriteAsync(path, Utf8.GetBytes(text), contentType ?? ArtifactContentTypes.FromPath(path), cancellationToken);
    }

    /// <summary>Writes <paramref name="value"/> as indented JSON (people and agents read these files).</summary>
    public static Task WriteJsonAsync<T>(
        this IArtifactStore store, string path, T value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, CoreJson.Indented);
        return store.WriteAsync(path, bytes, ArtifactContentTypes.Json, cancellationToken);
    }

    /// <summary>The artifact as text, or null when it does not exist.</summary>
    public static async Task<string?> ReadTextAsync(
        this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var content = await store.OpenReadAsync(path, cancellationToken);
        if (content is null)
        {
            return null;
        }

        await using (content)
        {
            // A BOM written by another tool is honoured and dropped.
            using var reader = new StreamReader(content.Content, Utf8, detectEncodingFromByteOrderMarks: true);
            return await reader.ReadToEndAsync(cancellationToken);
        }
    }

    /// <summary>The artifact deserialized from JSON, or null when it does not exist.</summary>
    /// <exception cref="JsonException">The artifact is not JSON of <typeparamref name="T"/>.</exception>
    public static async Task<T?> ReadJsonAsync<T>(
        this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var content = await store.OpenReadAsync(path, cancellationToken);
        if (content is null)
        {
            return default;
        }

        await using (content)
        {
            return await JsonSerializer.DeserializeAsync<T>(content.Content, CoreJson.Options, cancellationToken);
        }
    }
}
