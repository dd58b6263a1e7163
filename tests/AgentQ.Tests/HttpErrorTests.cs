using AgentFunctions.Testing.Http;
using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>Server errors become one stderr line (the problem detail) and the documented exit code.</summary>
public sealed class HttpErrorTests : IDisposable
{
    private readonly TestEnvironment _environment = new();

    public void Dispose() => _environment.Dispose();

    private async Task<CliResult> RunAgainstAsync(RecordingHttpServer server, params string[] args)
    {
        _environment.Variables["AGENTQ_URL"] = server.Url;
        return await CliRunner.RunAsync(_environment, args);
    }

    [Theory]
    [InlineData(400, ExitCode.BadRequest)]
    [InlineData(401, ExitCode.Unauthorized)]
    [InlineData(403, ExitCode.Unauthorized)]
    [InlineData(404, ExitCode.NotFound)]
    [InlineData(409, ExitCode.Conflict)]
    [InlineData(410, ExitCode.Conflict)]
    [InlineData(413, ExitCode.BadRequest)]
    [InlineData(415, ExitCode.BadRequest)]
    [InlineData(500, ExitCode.Error)]
    [InlineData(503, ExitCode.Error)]
    public async Task Problem_detail_is_the_error_line_and_the_status_picks_the_exit_code(int status, ExitCode expected)
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(status, RecordingHttpServer.Problem(status, "Title", $"the detail for {status}"), "application/problem+json");

        var result = await RunAgainstAsync(server, "status", "t1", "--key", "k");

        Assert.Equal((int)expected, result.ExitCode);
        Assert.Equal($"agentq: the detail for {status} (HTTP {status})", result.ErrorLine);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Multi_line_detail_is_folded_into_one_line()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(400, RecordingHttpServer.Problem(400, "Validation failed", "the task spec has 2 problems:\nto: is required\nttlSeconds: too small"));

        var result = await RunAgainstAsync(server, "submit", "hi", "--to", "impl");

        Assert.Equal((int)ExitCode.BadRequest, result.ExitCode);
        Assert.Equal("agentq: the task spec has 2 problems: to: is required ttlSeconds: too small (HTTP 400)", result.ErrorLine);
    }

    [Fact]
    public async Task Error_without_problem_json_falls_back_to_the_text_or_the_status()
    {
        await using var text = await RecordingHttpServer.AnsweringAsync(502, "upstream timed out", "text/plain");
        await using var empty = await RecordingHttpServer.AnsweringAsync(403, string.Empty);

        var fromText = await RunAgainstAsync(text, "status", "t1");
        var fromStatus = await RunAgainstAsync(empty, "status", "t1", "--key", "k");

        Assert.Equal("agentq: upstream timed out (HTTP 502)", fromText.ErrorLine);
        Assert.Equal((int)ExitCode.Error, fromText.ExitCode);
        Assert.Equal("agentq: forbidden: the key lacks the scope for this (HTTP 403)", fromStatus.ErrorLine);
        Assert.Equal((int)ExitCode.Unauthorized, fromStatus.ExitCode);
    }

    [Fact]
    public async Task Unauthorized_without_a_key_says_how_to_send_one()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(401, RecordingHttpServer.Problem(401, "Unauthorized", "a key is required"));

        var result = await RunAgainstAsync(server, "list");

        Assert.Equal((int)ExitCode.Unauthorized, result.ExitCode);
        Assert.Equal("agentq: a key is required; no key was sent (use --key, AGENTQ_KEY or a profile) (HTTP 401)", result.ErrorLine);
        Assert.False(server.Requests.Single().Headers.ContainsKey("x-functions-key"));
    }

    [Fact]
    public async Task Errors_keep_json_stdout_empty()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(409, RecordingHttpServer.Problem(409, "Conflict", "task 't1' has already ended (completed)"));

        var result = await RunAgainstAsync(server, "cancel", "t1", "--reason", "no longer needed", "--json");

        Assert.Equal((int)ExitCode.Conflict, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Equal("agentq: task 't1' has already ended (completed) (HTTP 409)", result.ErrorLine);
    }

    [Theory]
    [InlineData("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", "text/html", "agentq: the server is unavailable (HTTP 503)")]
    [InlineData("""{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"the backend pool is draining"}""", "application/problem+json", "agentq: the backend pool is draining (HTTP 503)")]
    [InlineData("""{"status":"unhealthy","detail":"no backend"}""", "application/json", "agentq: no backend (HTTP 503)")]
    [InlineData("upstream connect error", "text/plain", "agentq: upstream connect error (HTTP 503)")]
    public async Task Health_503_that_is_not_a_health_report_is_the_usual_error_line(string body, string contentType, string error)
    {
        await using var gateway = await RecordingHttpServer.AnsweringAsync(503, body, contentType);

        var result = await RunAgainstAsync(gateway, "health");

        Assert.Equal((int)ExitCode.Error, result.ExitCode);
        Assert.Equal(error, result.ErrorLine);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Health_503_with_the_servers_report_shows_it_and_fails()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(503, """{"status":"unhealthy","engine":"standalone","version":"1.0.0","checkedAt":"2025-01-01T00:00:00Z","checks":{"journal":"disk full"}}""");

        var result = await RunAgainstAsync(server, "health");

        Assert.Equal((int)ExitCode.Error, result.ExitCode);
        Assert.StartsWith("unhealthy  engine standalone  version 1.0.0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("disk full", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("agentq: the server reports itself unhealthy", result.ErrorLine);
    }

    [Theory]
    [InlineData("status", "t1")]
    [InlineData("list")]
    [InlineData("health")]
    [InlineData("submit", "hi", "--to", "impl")]
    [InlineData("approve", "t1")]
    [InlineData("dlq", "list")]
    [InlineData("worker", "run", "--role", "review", "--", "cat")]
    public async Task Unreachable_server_exits_10_with_one_line(params string[] args)
    {
        var url = Ports.ClosedUrl();
        _environment.Variables["AGENTQ_URL"] = url;

        var result = await CliRunner.RunAsync(_environment, args);

        Assert.True(result.ExitCode == (int)ExitCode.Unreachable, result.ToString());
        var error = result.StderrLines[^1];
        Assert.Equal($"agentq: cannot reach the server at {url}: connection refused (is the server running?)", error);
        Assert.All(result.StderrLines.SkipLast(1), line => Assert.StartsWith("agentq worker ", line, StringComparison.Ordinal));
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task An_https_url_for_an_http_server_says_why_the_tls_connection_failed()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, "{}");
        _environment.Variables["AGENTQ_URL"] = server.Url.Replace("http://", "https://", StringComparison.Ordinal);

        var result = await CliRunner.RunAsync(_environment, "health");

        Assert.True(result.ExitCode == (int)ExitCode.Unreachable, result.ToString());
        Assert.Single(result.StderrLines);
        Assert.StartsWith("agentq: cannot reach the server at https://127.0.0.1:", result.ErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("see inner exception", result.ErrorLine, StringComparison.Ordinal);
        // The TLS failure, then its cause on the same line.
        Assert.Matches("SSL connection could not be established: .+", result.ErrorLine);
    }

    [Fact]
    public async Task Health_answered_404_asks_whether_the_url_is_an_agentfunctions_server()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(404, "<html>Not Found</html>", "text/html");

        var result = await RunAgainstAsync(server, "health");

        Assert.Equal((int)ExitCode.NotFound, result.ExitCode);
        Assert.Contains($"(is this an AgentFunctions server? {server.Url}/ has no /api/health)", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_answering_unexpected_json_is_a_general_error_not_a_crash()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(200, "[1,2,3]");

        var result = await RunAgainstAsync(server, "status", "t1");

        Assert.Equal((int)ExitCode.Error, result.ExitCode);
        Assert.StartsWith("agentq: the server's answer is not the expected TaskView JSON", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Base_url_with_a_path_prefix_or_trailing_api_is_honoured()
    {
        await using var server = await RecordingHttpServer.AnsweringAsync(404, RecordingHttpServer.Problem(404, "Not found", "no"));
        _environment.Variables["AGENTQ_URL"] = server.Url + "/prefix/api/";

        await CliRunner.RunAsync(_environment, "status", "t1");

        Assert.Equal("/prefix/api/tasks/t1", Assert.Single(server.Requests).Path);
    }
}
