using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>A request body read as JSON, or the problem answer that explains why it could not be.</summary>
public sealed class JsonBody : IDisposable
{
    /// <summary>Deepest nesting a body may have.</summary>
    public const int MaxDepth = 64;

    private JsonBody(JsonDocument? document, ReadOnlyMemory<byte> utf8, IResult? problem)
    {
        Document = document;
        Utf8 = utf8;
        Problem = problem;
    }

    /// <summary>The parsed body; null when it was empty (and allowed to be).</summary>
    public JsonDocument? Document { get; }

    /// <summary>The body as it arrived; <see cref="Document"/> reads from it, so it lives as long as this object.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    public long Bytes => Utf8.Length;

    public IResult? Problem { get; }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/>: over it is 413, a non-JSON content type 415, bad JSON 400 (text that
    /// is not valid Unicode too), an empty body 400 unless <paramref name="optional"/>. The body is held once, in one
    /// buffer of its own size when the client declared its length.
    /// </summary>
    public static async Task<JsonBody> ReadAsync(HttpRequest request, long maxBytes, bool optional, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            return Fail(ApiProblems.TooLarge($"the request body is {request.ContentLength} bytes; the limit is {maxBytes}"));
        }

        var (body, tooLarge) = request.ContentLength is { } declared
            ? (await ReadDeclaredAsync(request.Body, (int)declared, cancellationToken), false)
            : await ReadChunkedAsync(request.Body, maxBytes, cancellationToken);
        if (tooLarge)
        {
            return Fail(ApiProblems.TooLarge($"the request body is larger than the limit of {maxBytes} bytes"));
        }

        if (body.Length == 0)
        {
            return optional
                ? new JsonBody(null, ReadOnlyMemory<byte>.Empty, null)
                : Fail(ApiProblems.BadRequest("the request body is empty; send a JSON object with Content-Type: application/json"));
        }

        if (!IsJson(request.ContentType))
        {
            return Fail(ApiProblems.UnsupportedMediaType(
                $"Content-Type must be application/json (got '{request.ContentType ?? "none"}')"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            return Fail(ApiProblems.BadRequest($"the request body is not valid JSON: {ex.Message}"));
        }

        if (JsonUnicode.Explain(body.Span) is { } problem)
        {
            document.Dispose();
            return Fail(ApiProblems.BadRequest($"the request body is not valid text: {problem}"));
        }

        return new JsonBody(document, body, null);
    }

    /// <summary>Deserializes the body into <typeparamref name="T"/>; null when the body was empty (callers supply their default).</summary>
    public T? As<T>()
        where T : class
    {
        if (Document is null)
        {
            return null;
        }

        return Document.RootElement.Deserialize<T>(Core.Json.CoreJson.Options);
    }

    public void Dispose() => Document?.Dispose();

    private static JsonBody Fail(IResult problem) => new(null, ReadOnlyMemory<byte>.Empty, problem);

    /// <summary>A body of known length goes straight into a buffer of that size: no growing copies of a large result.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadDeclaredAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var buffer = GC.AllocateUninitializedArray<byte>(length);
        var total = 0;
        int read;
        while (total < length && (read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        // The server ends a body cut short with an error of its own; what arrived is what there is.
        return buffer.AsMemory(0, total);
    }

    private static async Task<(ReadOnlyMemory<byte> Body, bool TooLarge)> ReadChunkedAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        int read;
        while ((read = await body.ReadAsync(buffer.GetMemory(16 * 1024), cancellationToken)) > 0)
        {
            if (buffer.WrittenCount + read > maxBytes)
            {
                return (ReadOnlyMemory<byte>.Empty, true);
            }

            buffer.Advance(read);
        }

        return (buffer.WrittenMemory, false);
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
