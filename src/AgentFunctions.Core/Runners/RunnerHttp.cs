using System.Globalization;
using System.Net;
using System.Text;
using AgentFunctions.Core.Retries;

namespace AgentFunctions.Core.Runners;

/// <summary>What the <c>http</c> and <c>openai</c> runners share: capped bodies and failure messages.</summary>
internal static class RunnerHttp
{
    /// <summary>How much of a response body a failure message quotes.</summary>
    public const int MaxExcerptChars = 500;

    /// <summary>Reads at most <paramref name="maxBytes"/> of the body; more marks it too large instead of buffering it all.</summary>
    public static async Task<CappedBody> ReadBodyAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        var encoding = EncodingOf(response.Content.Headers.ContentType?.CharSet);
        if (response.Content.Headers.ContentLength is { } length && length > maxBytes)
        {
            return new CappedBody([], TooLarge: true, encoding);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var kept = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return new CappedBody(kept.ToArray(), TooLarge: false, encoding);
            }

            var room = maxBytes - (int)kept.Length;
            kept.Write(buffer, 0, Math.Min(read, room));
            if (read > room)
            {
                // No point downloading the rest of an answer we will not accept.
                return new CappedBody(kept.ToArray(), TooLarge: true, encoding);
            }
        }
    }

    /// <summary>A failed result for a non-success status: 408, 429 and 5xx transient, other 4xx permanent.</summary>
    public static AgentResult StatusFailure(HttpStatusCode status, Uri endpoint, string? detail)
    {
        var kind = FailureClassifier.FromHttpStatus(status);
        var message = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status} ({status}) from {Describe(endpoint)}");
        var excerpt = Excerpt(detail);
        return AgentResult.Failed(excerpt.Length == 0 ? message : $"{message}: {excerpt}", permanent: kind == FailureKind.Permanent);
    }

    /// <summary>The endpoint without its query string, which may hold a key (<c>?code=</c>).</summary>
    public static string Describe(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Path);

    /// <summary>A short one-line quote of <paramref name="text"/> for messages.</summary>
    public static string Excerpt(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var oneLine = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return AgentResultParser.Truncate(oneLine, MaxExcerptChars);
    }

    public static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static Encoding EncodingOf(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset))
        {
            return Encoding.UTF8;
        }

        try
        {
            return Encoding.GetEncoding(charset.Trim('"', ' '));
        }
        catch (ArgumentException)
        {
            // An unknown charset is almost always UTF-8 in disguise.
            return Encoding.UTF8;
        }
    }
}
