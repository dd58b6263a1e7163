using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>
/// Against a real server (one per test class, no worker): mistakes and refusals end in one line on stderr (the
/// server's problem detail when it sent one) and the documented exit code.
/// </summary>
public sealed class ServerErrorTests : IAsyncLifetime
{
    private EndToEnd _scene = null!;

    public async Task InitializeAsync() => _scene = await EndToEnd.StartAsync(ServerSettings.Remote("review"));

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Theory]
    [InlineData("task 'nope' does not exist", "status", "nope")]
    [InlineData("task 'nope' does not exist", "watch", "nope")]
    [InlineData("task 'nope' does not exist", "result", "nope")]
    [InlineData("task 'nope' does not exist", "result", "nope", "--role", "review")]
    [InlineData("task 'nope' does not exist", "approve", "nope")]
    [InlineData("task 'nope' does not exist", "reject", "nope", "--reason", "no")]
    [InlineData("task 'nope' does not exist", "cancel", "nope", "--reason", "no")]
    [InlineData("dead letter 'nope' does not exist", "dlq", "show", "nope")]
    [InlineData("dead letter 'nope' does not exist", "dlq", "replay", "nope")]
    [InlineData("dead letter 'nope' does not exist", "dlq", "delete", "nope")]
    public async Task Unknown_id_exits_3_with_the_server_detail(string detail, params string[] args)
    {
        var result = await _scene.RunAsync(args);

        Assert.Equal((int)ExitCode.NotFound, result.ExitCode);
        Assert.Equal($"agentq: {detail} (HTTP 404)", result.ErrorLine);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Conflicting_resubmission_exits_4_and_identical_one_returns_the_same_task()
    {
        await _scene.RunExpectingAsync(0, "submit", "Review PR 7", "--to", "review", "--id", "same-1");

        var identical = await _scene.RunExpectingAsync(0, "submit", "Review PR 7", "--to", "review", "--id", "same-1");
        var conflicting = await _scene.RunAsync("submit", "Review PR 8", "--to", "review", "--id", "same-1");

        Assert.StartsWith("same-1\n", identical.Stdout, StringComparison.Ordinal);
        Assert.Equal("agentq: task 'same-1' already exists with this spec; nothing new was submitted", identical.ErrorLine);
        Assert.Equal((int)ExitCode.Conflict, conflicting.ExitCode);
        Assert.Equal("agentq: task 'same-1' already exists with a different spec; choose another id (HTTP 409)", conflicting.ErrorLine);
        Assert.Empty(conflicting.Stdout);
        Assert.Equal(["same-1"], (await _scene.JsonAsync("list")).GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Decisions_and_results_that_do_not_fit_the_task_state_exit_4()
    {
        await _scene.RunExpectingAsync(0, "submit", "Review PR 9", "--to", "review", "--id", "early-1");

        var result = await _scene.RunAsync("result", "early-1");
        var roleResult = await _scene.RunAsync("result", "early-1", "--role", "review");
        var approve = await _scene.RunAsync("approve", "early-1");
        await _scene.RunExpectingAsync(0, "cancel", "early-1", "--reason", "not needed");
        var cancelAgain = await _scene.RunAsync("cancel", "early-1", "--reason", "twice");

        Assert.Equal((int)ExitCode.Conflict, result.ExitCode);
        Assert.StartsWith("agentq: task 'early-1' has not finished yet (", result.ErrorLine, StringComparison.Ordinal);
        Assert.Equal((int)ExitCode.Conflict, roleResult.ExitCode);
        Assert.Equal("agentq: role 'review' of task 'early-1' has no result yet (pending); wait for it: agentq watch early-1", roleResult.ErrorLine);
        Assert.Equal((int)ExitCode.Conflict, approve.ExitCode);
        Assert.Equal("agentq: task 'early-1' is not awaiting approval (HTTP 409)", approve.ErrorLine);
        Assert.Equal((int)ExitCode.Conflict, cancelAgain.ExitCode);
        Assert.EndsWith("(HTTP 409)", cancelAgain.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_role_is_refused_by_the_server_with_exit_12_and_nothing_is_stored()
    {
        var result = await _scene.RunAsync("submit", "Write the docs", "--to", "ghost", "--id", "ghost-1");

        Assert.Equal((int)ExitCode.BadRequest, result.ExitCode);
        Assert.StartsWith("agentq: the task spec: to[0]: unknown role 'ghost' (configured: ", result.ErrorLine, StringComparison.Ordinal);
        Assert.Equal((int)ExitCode.NotFound, (await _scene.RunAsync("status", "ghost-1")).ExitCode);
    }

    [Theory]
    [InlineData("agentq: no roles: give --to ROLE", "submit", "Fix it")]
    [InlineData("agentq: --timeout and --interval only apply with --wait", "submit", "Fix it", "--to", "review", "--timeout", "5")]
    [InlineData("agentq: Argument 'soon' not recognized. Must be one of:", "submit", "Fix it", "--to", "review", "--priority", "soon")]
    [InlineData("agentq: --lease '0' is not a duration between 1s and 7d", "worker", "run", "--role", "review", "--lease", "0", "--", "cat")]
    [InlineData("agentq: unknown option '--bogus' for worker run", "worker", "run", "--role", "review", "--bogus", "--", "cat")]
    [InlineData("agentq: no program to run: put it after '--', e.g. agentq worker run --role review -- ./review.sh {input}", "worker", "run", "--role", "review")]
    [InlineData("agentq: Unrecognized command or argument 'bogus'", "bogus")]
    public async Task Bad_arguments_exit_2_with_one_line_and_send_nothing(string message, params string[] args)
    {
        var result = await _scene.RunAsync(args);

        Assert.Equal((int)ExitCode.Usage, result.ExitCode);
        Assert.StartsWith(message, result.ErrorLine, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        // Tests here submit with explicit ids: a generated one (t-...) would mean this run sent a task.
        Assert.DoesNotContain((await _scene.JsonAsync("list")).GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString()!.StartsWith("t-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("status", "t-1")]
    [InlineData("submit", "Fix it", "--to", "review", "--wait")]
    [InlineData("dlq", "list")]
    [InlineData("worker", "run", "--role", "review", "--", "cat")]
    public async Task Unreachable_server_exits_10_with_the_address_in_one_line(params string[] args)
    {
        var url = Ports.ClosedUrl();
        using var elsewhere = new TestEnvironment();
        elsewhere.Variables["AGENTQ_URL"] = url;

        var result = await CliRunner.RunAsync(elsewhere, args);

        Assert.Equal((int)ExitCode.Unreachable, result.ExitCode);
        Assert.Equal($"agentq: cannot reach the server at {url}: connection refused (is the server running?)", result.StderrLines[^1]);
        Assert.Empty(result.Stdout);
    }
}
