using System.Globalization;
using System.Net;
using System.Text.Json;

namespace AgentQ.Http;

/// <summary>Turns an error answer into one line: the problem+json <c>detail</c> when there is one.</summary>
public static class ProblemText
{
    private const int MaxBodyChars = 300;

    public static string Describe(ApiResponse response, bool keySent)
    {
        ArgumentNullException.ThrowIfNull(response);
        var code = (int)response.Status;
        var text = Detail(response.Body) ?? PlainBody(response) ?? ReasonPhrase(response.Status);
        var hint = response.Status == HttpStatusCode.Unauthorized && !keySent
            ? "; no key was sent (use --key, AGENTQ_KEY or a profile)"
            : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{OneLine(text)}{hint} (HTTP {code})");
    }

    /// <summary>The <c>detail</c> (else <c>title</c>) of a problem+json body.</summary>
    internal static string? Detail(string body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            foreach (var name in new[] { "detail", "title" })
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
                {
                    return value.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the caller falls back to the text.
        }

        return null;
    }

    private static string? PlainBody(ApiResponse response)
    {
        if (string.IsNullOrWhiteSpace(response.Body) || response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            return null;
        }

        var text = response.Body.Trim();
        return text.Length <= MaxBodyChars ? text : string.Concat(text.AsSpan(0, MaxBodyChars - 1), "…");
    }

    private static string ReasonPhrase(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "unauthorized",
        HttpStatusCode.Forbidden => "forbidden: the key lacks the scope for this",
        HttpStatusCode.NotFound => "not found",
        HttpStatusCode.Conflict => "conflict",
        HttpStatusCode.Gone => "gone",
        HttpStatusCode.RequestEntityTooLarge => "the request is too large",
        HttpStatusCode.UnsupportedMediaType => "unsupported media type",
        HttpStatusCode.BadRequest => "bad request",
        HttpStatusCode.ServiceUnavailable => "the server is unavailable",
        _ => "the server answered " + status,
    };

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
