using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// The <c>http</c> runner: POSTs the attempt envelope as JSON to the role's URL. A 2xx answer is the
/// result (a JSON agent result, or any other body as markdown); 408, 429, 5xx, timeouts and network
/// errors are transient; any other status is permanent.
/// </summary>
public sealed class HttpAgentRunner : IAgentRunner
{
    /// <summary>Identifies the attempt, so an agent can recognise a crash-induced re-run of the same attempt.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private readonly RoleDefinition _role;
    private readonly HttpExchange _exchange;

    public HttpAgentRunner(RoleDefinition role, IHttpClientFactory httpClientFactory, TimeProvider timeProvider, ILogger<HttpAgentRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _role = role;
        _exchange = new HttpExchange(role, httpClientFactory, timeProvider, logger, "the agent");
    }

    public async Task<AgentResult> RunAsync(AgentAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        cancellationToken.ThrowIfCancellationRequested();
        if (_role.Url is not { } url)
        {
            return AgentResult.Failed($"role '{_role.Name}' has no Url for the http runner", permanent: true);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(attempt, CoreJson.Options)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/markdown;q=0.9");
        request.Headers.Accept.ParseAdd("text/plain;q=0.8");
        request.Headers.TryAddWithoutValidation(
            IdempotencyKeyHeader,
            string.Create(CultureInfo.InvariantCulture, $"{attempt.TaskId}/{attempt.Role}/{attempt.Attempt}"));

        return await _exchange.SendAsync(request, url, attempt, ParseBody, failureDetail: body => body, cancellationToken);
    }

    /// <summary>A JSON agent result when the body is one; otherwise the body is the markdown result.</summary>
    internal static AgentResult ParseBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (AgentResultParser.TryParseJson(document.RootElement, out var result))
            {
                return result;
            }
        }
        catch (JsonException)
        {
            // Not JSON: plain text or markdown is a fine answer too.
        }

        return AgentResultParser.Parse(body);
    }
}
