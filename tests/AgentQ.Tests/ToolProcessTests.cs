using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>The built tool as a separate process: its exit codes, streams and signal handling.</summary>
public sealed class ToolProcessTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    private Dictionary<string, string> Environment(string? url = null)
    {
        var environment = new Dictionary<string, string> { ["HOME"] = _home.Path };
        if (url is not null)
        {
            environment["AGENTQ_URL"] = url;
        }

        return environment;
    }

    [Fact]
    public async Task Help_exits_0_and_documents_exit_codes()
    {
        using var tool = ToolProcess.Start(Environment(), "--help");

        var result = await tool.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Exit codes:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("worker", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_server_exits_10_with_one_line_and_no_stack_trace()
    {
        var url = Ports.ClosedUrl();
        using var tool = ToolProcess.Start(Environment(url), "status", "t-1");

        var result = await tool.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((int)ExitCode.Unreachable, result.ExitCode);
        Assert.Equal($"agentq: cannot reach the server at {url}: connection refused (is the server running?)", result.ErrorLine);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Usage_error_exits_2_from_the_real_tool()
    {
        using var tool = ToolProcess.Start(Environment(Ports.ClosedUrl()), "submit", "hi");

        var result = await tool.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((int)ExitCode.Usage, result.ExitCode);
        Assert.StartsWith("agentq: no roles", result.ErrorLine, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Signal_stops_an_idle_worker_gracefully_with_exit_0(string signal)
    {
        await using var stub = await WorkerStub.StartAsync();
        using var tool = ToolProcess.Start(Environment(stub.Url), "worker", "run", "--role", "review", "--", "cat");
        await WorkerStub.EventuallyAsync(() => stub.Leases.Any() || tool.HasExited, seconds: 30);

        tool.Signal(signal);
        var result = await tool.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith(" stopped", result.StderrLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_lets_the_running_attempt_finish_and_report()
    {
        await using var stub = await WorkerStub.StartAsync();
        stub.Grants.Enqueue(WorkerStub.Grant());
        var started = _home.File("started");
        using var tool = ToolProcess.Start(Environment(stub.Url), "worker", "run", "--role", "review", "--", "sh", "-c", "touch \"$0\"; sleep 1; echo finished", started);
        await WorkerStub.EventuallyAsync(() => File.Exists(started) || tool.HasExited, seconds: 30);

        tool.Signal("TERM");
        var result = await tool.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = Assert.Single(stub.Reports);
        Assert.EndsWith("/complete", report.Path, StringComparison.Ordinal);
        Assert.Contains("\"result\":\"finished\\n\"", report.Body, StringComparison.Ordinal);
    }
}
