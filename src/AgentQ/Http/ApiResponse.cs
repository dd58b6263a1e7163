using System.Net;
using System.Text.Json;

namespace AgentQ.Http;

/// <summary>A server answer read to its end: status, body text and the headers agentq uses.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string Body, string? ContentType, Uri? Location)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>How long the server asked to wait before trying again (Retry-After in seconds on a 503 or 507).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The body as <typeparamref name="T"/> in the contract dialect.</summary>
    public T Read<T>()
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Body, CliJson.Responses)
                ?? throw new JsonException("the body is null");
        }
        catch (JsonException ex)
        {
            throw new Cli.CliException(Cli.ExitCode.Error, $"the server's answer is not the expected {typeof(T).Name} JSON: {ex.Message}");
        }
    }
}
