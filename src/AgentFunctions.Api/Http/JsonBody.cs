using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>A request body read as JSON, or the problem answer that explains why it could not be.</summary>
public sealed class JsonBody : IDisposable
{
    private JsonBody(JsonDocument? document, long bytes, IResult? problem)
    {
        Document = document;
        Bytes = bytes;
        Problem = problem;
    }

    /// <summary>The parsed body; null when it was empty (and allowed to be).</summary>
    public JsonDocument? Document { get; }

    public long Bytes { get; }

    public IResult? Problem { get; }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/>: over it is 413, a non-JSON content type 415, bad JSON 400,
    /// an empty body 400 unless <paramref name="optional"/>.
    /// </summary>
    public static async Task<JsonBody> ReadAsync(HttpRequest request, long maxBytes, bool optional, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            return Fail(ApiProblems.TooLarge($"the request body is {request.ContentLength} bytes; the limit is {maxBytes}"));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return Fail(ApiProblems.TooLarge($"the request body is larger than the limit of {maxBytes} bytes"));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return optional
                ? new JsonBody(null, 0, null)
                : Fail(ApiProblems.BadRequest("the request body is empty; send a JSON object with Content-Type: application/json"));
        }

        if (!IsJson(request.ContentType))
        {
            return Fail(ApiProblems.UnsupportedMediaType(
                $"Content-Type must be application/json (got '{request.ContentType ?? "none"}')"));
        }

        try
        {
            var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 64 });
            return new JsonBody(document, buffer.Length, null);
        }
        catch (JsonException ex)
        {
            return Fail(ApiProblems.BadRequest($"the request body is not valid JSON: {ex.Message}"));
        }
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

    private static JsonBody Fail(IResult problem) => new(null, 0, problem);

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
