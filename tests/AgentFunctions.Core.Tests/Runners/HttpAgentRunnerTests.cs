using System.Diagnostics;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Testing.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Core.Tests.Runners;

public sealed class HttpAgentRunnerTests
{
    private static async Task<AgentResult> RunAsync(Uri url, AgentAttempt? attempt = null, TimeSpan? timeout = null, int maxOutputBytes = 1024 * 1024, CancellationToken cancellationToken = default)
    {
        var role = new RoleDefinition { Name = "impl", Runner = RunnerKind.Http, Url = url, Timeout = timeout ?? TimeSpan.FromSeconds(20), MaxOutputBytes = maxOutputBytes };
        using var services = RunnerTestData.Services();
        var runner = new HttpAgentRunner(role, RunnerTestData.HttpClientFactory(services), TimeProvider.System, NullLogger<HttpAgentRunner>.Instance);
        return await runner.RunAsync(attempt ?? RunnerTestData.Attempt(), cancellationToken);
    }

    [Fact]
    public async Task Attempt_envelope_is_posted_as_contract_json_and_the_json_answer_is_the_result()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, """{"status":"completed","summary":"Reviewed","result":"LGTM ✓","usage":{"inputTokens":7,"outputTokens":3,"costUsd":0.002}}""");
        var attempt = RunnerTestData.Attempt(prompt: "Review \"this\" — ünïcödé", taskId: "t-7", role: "review", attempt: 2);

        var result = await RunAsync(server.AddressOf("agents/review?code=secret"), attempt);

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal("Reviewed", result.Summary);
        Assert.Equal("LGTM ✓", result.Result);
        Assert.Equal(new AgentFunctions.Core.Workflow.AgentUsage { InputTokens = 7, OutputTokens = 3, CostUsd = 0.002m }, result.Usage);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/agents/review", request.Path);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("t-7/review/2", request.Header(HttpAgentRunner.IdempotencyKeyHeader));
        var posted = JsonSerializer.Deserialize<AgentAttempt>(request.Body, CoreJson.Options);
        Assert.NotNull(posted);
        Assert.Equal((attempt.TaskId, attempt.Role, attempt.Attempt, attempt.MaxAttempts, attempt.Prompt), (posted.TaskId, posted.Role, posted.Attempt, posted.MaxAttempts, posted.Prompt));
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("t-7", json.RootElement.GetProperty("taskId").GetString());
        Assert.Equal("normal", json.RootElement.GetProperty("priority").GetString());
    }

    [Fact]
    public async Task Non_json_answer_is_a_completed_markdown_result()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, "## Findings\n\nNothing to fix.", "text/markdown; charset=utf-8");

        var result = await RunAsync(server.AddressOf("agent"));

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal("## Findings\n\nNothing to fix.", result.Result);
        Assert.Equal("## Findings", result.Summary);
    }

    [Fact]
    public async Task Agent_can_ask_for_approval()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, """{"status":"needs_approval","summary":"Ready to deploy","result":"Plan"}""");

        var result = await RunAsync(server.AddressOf("agent"));

        Assert.Equal(AgentResultStatus.NeedsApproval, result.Status);
        Assert.Equal("Ready to deploy", result.Summary);
    }

    [Fact]
    public async Task Agent_can_fail_permanently_with_a_2xx_answer()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, """{"status":"failed","summary":"unknown repository","permanent":true}""");

        var result = await RunAsync(server.AddressOf("agent"));

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.True(result.Permanent);
    }

    [Theory]
    [MemberData(nameof(RunnerTestData.HttpErrorStatuses), MemberType = typeof(RunnerTestData))]
    public async Task Error_status_is_transient_or_permanent_as_designed(int status, bool permanent)
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(status, "{\"error\":\"agent says no\"}\n");

        var result = await RunAsync(server.AddressOf("agent"));

        RunnerAssert.FailedWithStatus(result, status, permanent);
        Assert.Contains("agent says no", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_message_quotes_only_a_short_excerpt_and_never_the_query_string()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(500, new string('e', 100_000), "text/plain");

        var result = await RunAsync(server.AddressOf("agent?code=top-secret-key"));

        Assert.NotNull(result.Summary);
        Assert.True(result.Summary.Length < 700, $"{result.Summary.Length} chars");
        Assert.DoesNotContain("top-secret-key", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slow_agent_is_a_transient_timeout()
    {
        await using var server = await RecordingHttpServer.StartAsync(async (context, _) => await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted));
        var stopwatch = Stopwatch.StartNew();

        var result = await RunAsync(server.AddressOf("agent"), timeout: TimeSpan.FromSeconds(1));

        RunnerAssert.TimedOutAfterOneSecond(result, stopwatch);
    }

    [Fact]
    public async Task Unreachable_agent_is_a_transient_failure()
    {
        var result = await RunAsync(new Uri($"http://127.0.0.1:{RunnerTestData.ClosedPort()}/agent"));

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.False(result.Permanent);
        Assert.StartsWith("cannot reach http://127.0.0.1:", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answer_larger_than_the_cap_is_a_transient_failure()
    {
        await using var server = await RecordingHttpServer.StartAsync(async (context, _) =>
        {
            // No Content-Length: the cap must hold while streaming, not only on the header.
            context.Response.ContentType = "text/plain";
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'z');
            for (var i = 0; i < 32 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });

        var result = await RunAsync(server.AddressOf("agent"), maxOutputBytes: 100_000);

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.False(result.Permanent);
        Assert.Contains("response too large", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answer_with_a_declared_length_over_the_cap_is_refused_before_reading()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, new string('z', 200_000), "text/plain");

        var result = await RunAsync(server.AddressOf("agent"), maxOutputBytes: 100_000);

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.Contains("more than 100000 bytes", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_throws_instead_of_failing_the_attempt()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await RecordingHttpServer.StartAsync(async (context, _) =>
        {
            received.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
        });
        using var cancellation = new CancellationTokenSource();

        var running = RunAsync(server.AddressOf("agent"), cancellationToken: cancellation.Token);
        await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
