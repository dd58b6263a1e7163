using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Testing.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Core.Tests.Runners;

public sealed class OpenAiChatRunnerTests
{
    private static RoleDefinition Role(Uri baseUrl) => new()
    {
        Name = "impl",
        Runner = RunnerKind.OpenAi,
        BaseUrl = baseUrl,
        Model = "gpt-test-mini",
        ApiKey = "sk-test-123",
        SystemPrompt = "You are a careful engineer.",
        Timeout = TimeSpan.FromSeconds(20),
    };

    private static string Completion(string content, long promptTokens = 12, long completionTokens = 34) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-1",
        @object = "chat.completion",
        choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
        usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
    });

    private static async Task<AgentResult> RunAsync(RoleDefinition role, AgentAttempt? attempt = null, Action<IServiceCollection>? configure = null)
    {
        using var services = RunnerTestData.Services(configure);
        var runner = new OpenAiChatRunner(role, RunnerTestData.HttpClientFactory(services), TimeProvider.System, NullLogger<OpenAiChatRunner>.Instance);
        return await runner.RunAsync(attempt ?? RunnerTestData.Attempt(), CancellationToken.None);
    }

    [Fact]
    public async Task Reply_is_the_markdown_result_and_the_request_is_a_chat_completion()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, Completion("# Patch\n\nFixed the null check."));
        var attempt = RunnerTestData.Attempt(prompt: "Fix \"it\" — ünïcödé 🚀");

        var result = await RunAsync(Role(server.AddressOf("v1/")), attempt);

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal("# Patch\n\nFixed the null check.", result.Result);
        Assert.Equal("# Patch", result.Summary);
        Assert.Equal(12, result.Usage?.InputTokens);
        Assert.Equal(34, result.Usage?.OutputTokens);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-test-123", request.Header("Authorization"));
        Assert.Null(request.Header("api-key"));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("gpt-test-mini", body.RootElement.GetProperty("model").GetString());
        var messages = body.RootElement.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").GetString())).ToList();
        Assert.Equal([("system", "You are a careful engineer."), ("user", attempt.Prompt)], messages);
    }

    [Fact]
    public async Task Without_system_prompt_or_key_only_the_user_message_is_sent_unauthenticated()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, Completion("ok"));

        await RunAsync(Role(server.AddressOf("v1")) with { SystemPrompt = null, ApiKey = null });

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Null(request.Header("Authorization"));
        using var body = JsonDocument.Parse(request.Body);
        var message = Assert.Single(body.RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
    }

    [Theory]
    [InlineData("https://api.openai.com/v1", "https://api.openai.com/v1/chat/completions")]
    [InlineData("https://api.openai.com/v1/", "https://api.openai.com/v1/chat/completions")]
    [InlineData("http://localhost:11434/v1//", "http://localhost:11434/v1/chat/completions")]
    [InlineData("https://res.openai.azure.com/openai/deployments/gpt4o?api-version=2024-10-21", "https://res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21")]
    public void Endpoint_is_the_base_url_plus_chat_completions(string baseUrl, string expected)
    {
        Assert.Equal(new Uri(expected), OpenAiChatRunner.ChatCompletionsUri(new Uri(baseUrl)));
    }

    [Fact]
    public async Task Azure_openai_host_also_gets_the_api_key_header()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, Completion("ok"));
        var port = server.BaseAddress.Port;

        // Every connection goes to the local server, whatever the host name says.
        var result = await RunAsync(
            Role(new Uri("http://my-resource.openai.azure.com/openai/deployments/gpt4o?api-version=2024-10-21")),
            configure: services => services.AddHttpClient(AgentRunnerFactory.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            }));

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/openai/deployments/gpt4o/chat/completions", request.Path);
        Assert.Equal("?api-version=2024-10-21", request.Query);
        Assert.Equal("sk-test-123", request.Header("api-key"));
        Assert.Equal("Bearer sk-test-123", request.Header("Authorization"));
        Assert.Equal("my-resource.openai.azure.com", request.Header("Host"));
    }

    [Fact]
    public async Task Model_can_ask_for_approval_with_a_json_agent_result()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, Completion("""{"status":"needs_approval","summary":"Deletes 40 rows","result":"DELETE FROM ..."}"""));

        var result = await RunAsync(Role(server.AddressOf("v1")));

        Assert.Equal(AgentResultStatus.NeedsApproval, result.Status);
        Assert.Equal("Deletes 40 rows", result.Summary);
        Assert.Equal("DELETE FROM ...", result.Result);
        Assert.Equal(12, result.Usage?.InputTokens);
    }

    [Fact]
    public async Task Model_json_in_a_code_fence_is_understood_and_the_endpoint_usage_wins()
    {
        var content = "```json\n{\"status\":\"failed\",\"summary\":\"cannot access the repo\",\"permanent\":true,\"usage\":{\"inputTokens\":1,\"outputTokens\":1,\"costUsd\":0.5}}\n```";
        await using var server = await RecordingHttpServer.AnsweringAsync(200, Completion(content, promptTokens: 100, completionTokens: 20));

        var result = await RunAsync(Role(server.AddressOf("v1")));

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.True(result.Permanent);
        Assert.Equal(new AgentFunctions.Core.Workflow.AgentUsage { InputTokens = 100, OutputTokens = 20, CostUsd = 0.5m }, result.Usage);
    }

    [Theory]
    [InlineData("""{"id":"x","choices":[]}""")]
    [InlineData("""{"id":"x"}""")]
    [InlineData("""{"choices":[{"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}]}""")]
    [InlineData("<html>gateway hiccup</html>")]
    public async Task Answer_without_usable_content_is_a_transient_failure(string body)
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, body);

        var result = await RunAsync(Role(server.AddressOf("v1")));

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.False(result.Permanent);
        Assert.False(string.IsNullOrWhiteSpace(result.Summary));
    }

    [Fact]
    public async Task Content_parts_are_joined()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, """{"choices":[{"message":{"role":"assistant","content":[{"type":"text","text":"Hello "},{"type":"text","text":"world"}]}}]}""");

        var result = await RunAsync(Role(server.AddressOf("v1")));

        Assert.Equal("Hello world", result.Result);
        Assert.Null(result.Usage);
    }

    [Theory]
    [MemberData(nameof(RunnerTestData.HttpErrorStatuses), MemberType = typeof(RunnerTestData))]
    public async Task Error_status_is_transient_or_permanent_and_quotes_the_error_message(int status, bool permanent)
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(status, """{"error":{"message":"The model `gpt-test-mini` is overloaded or unknown.","type":"invalid_request_error"}}""");

        var result = await RunAsync(Role(server.AddressOf("v1")));

        RunnerAssert.FailedWithStatus(result, status, permanent);
        Assert.Contains("The model `gpt-test-mini` is overloaded or unknown.", result.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test-123", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slow_endpoint_is_a_transient_timeout()
    {
        await using var server = await RecordingHttpServer.StartAsync(async (context, _) => await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted));
        var stopwatch = Stopwatch.StartNew();

        var result = await RunAsync(Role(server.AddressOf("v1")) with { Timeout = TimeSpan.FromSeconds(1) });

        RunnerAssert.TimedOutAfterOneSecond(result, stopwatch);
    }

    [Fact]
    public async Task Unreachable_endpoint_is_a_transient_failure()
    {
        var result = await RunAsync(Role(new Uri($"http://127.0.0.1:{RunnerTestData.ClosedPort()}/v1")));

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.False(result.Permanent);
    }
}
