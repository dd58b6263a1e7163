using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Workflow;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// The <c>openai</c> runner: one call to an OpenAI-compatible <c>/chat/completions</c> endpoint (OpenAI,
/// Azure OpenAI, or any compatible server) with the role's system prompt and the attempt's prompt.
/// The reply is the result; a reply that is a JSON agent result can ask for approval or fail.
/// </summary>
public sealed class OpenAiChatRunner : IAgentRunner
{
    private static readonly string[] AzureHostSuffixes = [".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com"];

    private readonly RoleDefinition _role;
    private readonly HttpExchange _exchange;

    public OpenAiChatRunner(RoleDefinition role, IHttpClientFactory httpClientFactory, TimeProvider timeProvider, ILogger<OpenAiChatRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _role = role;
        _exchange = new HttpExchange(role, httpClientFactory, timeProvider, logger, "the chat completions endpoint");
    }

    /// <summary>
    /// <c>{baseUrl}/chat/completions</c>, with or without a trailing slash on the base; a query string
    /// (Azure's <c>?api-version=</c>) is kept.
    /// </summary>
    public static Uri ChatCompletionsUri(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var builder = new UriBuilder(baseUrl);
        builder.Path = builder.Path.TrimEnd('/') + "/chat/completions";
        return builder.Uri;
    }

    /// <summary>The request body: model (when set) and the system and user messages.</summary>
    public static JsonObject CreateRequestBody(RoleDefinition role, AgentAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(attempt);
        var messages = new JsonArray();
        if (!string.IsNullOrWhiteSpace(role.SystemPrompt))
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = role.SystemPrompt });
        }

        messages.Add(new JsonObject { ["role"] = "user", ["content"] = attempt.Prompt });
        var body = new JsonObject();
        if (!string.IsNullOrWhiteSpace(role.Model))
        {
            body["model"] = role.Model;
        }

        body["messages"] = messages;
        return body;
    }

    public async Task<AgentResult> RunAsync(AgentAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        cancellationToken.ThrowIfCancellationRequested();
        if (_role.BaseUrl is not { } baseUrl)
        {
            return AgentResult.Failed($"role '{_role.Name}' has no BaseUrl for the openai runner", permanent: true);
        }

        var endpoint = ChatCompletionsUri(baseUrl);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(CreateRequestBody(_role, attempt).ToJsonString(CoreJson.Options), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        if (!string.IsNullOrEmpty(_role.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _role.ApiKey);
            if (IsAzureHost(endpoint))
            {
                // Azure OpenAI key authentication reads the api-key header.
                request.Headers.TryAddWithoutValidation("api-key", _role.ApiKey);
            }
        }

        return await _exchange.SendAsync(request, endpoint, attempt, body => ReadCompletion(body, endpoint), ErrorMessageOf, cancellationToken);
    }

    /// <summary>The agent result in a chat completion response body.</summary>
    internal static AgentResult ReadCompletion(string body, Uri endpoint)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // A 2xx that is not JSON comes from a proxy or gateway in trouble, not from the model.
            return AgentResult.Failed($"{RunnerHttp.Describe(endpoint)} did not answer with a chat completion: {RunnerHttp.Excerpt(body)}", permanent: false);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("choices", out var choices)
                || choices.ValueKind != JsonValueKind.Array
                || choices.GetArrayLength() == 0)
            {
                return AgentResult.Failed($"{RunnerHttp.Describe(endpoint)} answered without choices: {RunnerHttp.Excerpt(body)}", permanent: false);
            }

            var choice = choices[0];
            var content = ContentOf(choice);
            if (string.IsNullOrWhiteSpace(content))
            {
                var finishReason = choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String
                    ? reason.GetString()
                    : "none";
                return AgentResult.Failed($"the model answered with empty content (finish_reason: {finishReason})", permanent: false);
            }

            var result = AgentResultParser.Parse(content);
            // The endpoint's own count is authoritative; a cost only the agent can know is kept.
            return UsageOf(root) is { } usage
                ? result with { Usage = usage with { CostUsd = result.Usage?.CostUsd ?? 0 } }
                : result;
        }
    }

    private static string? ContentOf(JsonElement choice)
    {
        if (choice.ValueKind != JsonValueKind.Object
            || !choice.TryGetProperty("message", out var message)
            || message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("content", out var content))
        {
            return null;
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString();
            case JsonValueKind.Array:
                // Some compatible servers answer with content parts: join the text ones.
                var text = new StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String)
                    {
                        text.Append(partText.GetString());
                    }
                }

                return text.ToString();
            default:
                return null;
        }
    }

    private static AgentUsage? UsageOf(JsonElement root)
    {
        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new AgentUsage { InputTokens = CountOf(usage, "prompt_tokens"), OutputTokens = CountOf(usage, "completion_tokens") };
    }

    private static long CountOf(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count >= 0 ? count : 0;

    /// <summary>OpenAI-style errors carry their reason in <c>error.message</c>; anything else is quoted as it is.</summary>
    private static string ErrorMessageOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString() ?? body;
            }
        }
        catch (JsonException)
        {
            // Not JSON: quote the body.
        }

        return body;
    }

    private static bool IsAzureHost(Uri endpoint) =>
        AzureHostSuffixes.Any(suffix => endpoint.Host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));
}
