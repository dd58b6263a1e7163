using System.Text.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Testing.Http;
using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>What submit sends and prints, and how following a task turns its end into an exit code.</summary>
public sealed class SubmitAndFollowTests : IDisposable
{
    private readonly TestEnvironment _environment = new();

    public void Dispose() => _environment.Dispose();

    /// <summary>POST /api/tasks answers 202 with t-1; GET /api/tasks/t-1 answers the views in turn, repeating the last.</summary>
    private async Task<RecordingHttpServer> StartAsync(int submitStatus, params TaskView[] views)
    {
        var served = 0;
        RecordingHttpServer? server = null;
        server = await RecordingHttpServer.StartAsync((context, request) => request switch
        {
            { Method: "POST", Path: "/api/tasks" } => RecordingHttpServer.WriteJsonAsync(context, submitStatus, TaskViews.Payload(server!.Url, "t-1")),
            { Method: "GET", Path: "/api/tasks/t-1" } => RecordingHttpServer.WriteJsonAsync(context, 200, views[Math.Min(Interlocked.Increment(ref served), views.Length) - 1]),
            _ => RecordingHttpServer.WriteAsync(context, 404, RecordingHttpServer.Problem(404, "Not found", "no route")),
        });
        _environment.Variables["AGENTQ_URL"] = server.Url;
        return server;
    }

    [Fact]
    public async Task Submit_posts_the_spec_with_the_key_and_prints_the_id_then_the_status_url()
    {
        await using var server = await StartAsync(202);

        var result = await CliRunner.RunAsync(_environment, "submit", "Fix the bug", "--stage", "impl", "--stage", "review,docs", "--priority", "high", "--key", "k-1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"t-1\nstatus: {server.Url}/runtime/webhooks/durabletask/instances/t-1\n", result.Stdout.ReplaceLineEndings("\n"));
        Assert.Empty(result.Stderr);
        var request = Assert.Single(server.Requests);
        Assert.Equal("k-1", request.Headers["x-functions-key"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        using var spec = JsonDocument.Parse(request.Body);
        Assert.Equal("Fix the bug", spec.RootElement.GetProperty("payload").GetProperty("content").GetString());
        Assert.Equal("text", spec.RootElement.GetProperty("payload").GetProperty("fmt").GetString());
        Assert.Equal("docs", spec.RootElement.GetProperty("stages")[1][1].GetString());
        Assert.Equal("high", spec.RootElement.GetProperty("priority").GetString());
    }

    [Fact]
    public async Task Content_after_double_dash_is_not_taken_for_a_role()
    {
        await using var server = await StartAsync(202);

        var result = await CliRunner.RunAsync(_environment, "submit", "--to", "impl", "review", "--", "--looks like a flag");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var spec = JsonDocument.Parse(Assert.Single(server.Requests).Body);
        Assert.Equal(2, spec.RootElement.GetProperty("to").GetArrayLength());
        Assert.Equal("--looks like a flag", spec.RootElement.GetProperty("payload").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Each_stage_takes_the_roles_that_follow_it_up_to_the_next_option()
    {
        await using var server = await StartAsync(202);
        using var scratch = new TempDirectory();
        var context = scratch.File("ctx.md");
        await File.WriteAllTextAsync(context, "# Context\n");

        var result = await CliRunner.RunAsync(_environment, "submit", "--stage", "implementation", "review", "--stage", "docs", "--file", context);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var spec = JsonDocument.Parse(Assert.Single(server.Requests).Body);
        Assert.Equal([["implementation", "review"], ["docs"]], Stages(spec.RootElement));
        Assert.Equal("# Context\n", spec.RootElement.GetProperty("context").GetString());
        Assert.False(spec.RootElement.TryGetProperty("payload", out _), "a role was taken for CONTENT");
    }

    [Theory]
    [InlineData("submit", "--stage", "a,b", "c", "--stage=d", "--instructions", "go")]
    [InlineData("submit", "--stage", "a", "b,c", "--stage", "d", "--instructions", "go")]
    [InlineData("submit", "--instructions", "go", "--stage:a,b,c", "--stage", "d")]
    public async Task Stage_roles_may_be_space_or_comma_separated(params string[] args)
    {
        await using var server = await StartAsync(202);

        var result = await CliRunner.RunAsync(_environment, args);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var spec = JsonDocument.Parse(Assert.Single(server.Requests).Body);
        Assert.Equal([["a", "b", "c"], ["d"]], Stages(spec.RootElement));
    }

    [Theory]
    [InlineData("submit", "Fix it", "--stage", "impl", "review", "--stage", "docs")]
    [InlineData("submit", "--stage", "impl", "review", "--stage", "docs", "--", "Fix it")]
    public async Task Content_with_stages_goes_before_the_options_or_after_double_dash(params string[] args)
    {
        await using var server = await StartAsync(202);

        var result = await CliRunner.RunAsync(_environment, args);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var spec = JsonDocument.Parse(Assert.Single(server.Requests).Body);
        Assert.Equal([["impl", "review"], ["docs"]], Stages(spec.RootElement));
        Assert.Equal("Fix it", spec.RootElement.GetProperty("payload").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Content_after_a_stage_is_refused_with_a_hint_and_nothing_is_sent()
    {
        await using var server = await StartAsync(202);

        var result = await CliRunner.RunAsync(_environment, "submit", "--stage", "impl", "Fix the bug");

        Assert.Equal((int)ExitCode.Usage, result.ExitCode);
        Assert.Contains("--stage: 'Fix the bug' is not a valid role name", result.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("put CONTENT before the options, or after '--'", result.ErrorLine, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Submit_help_explains_how_stages_take_their_roles()
    {
        var result = await CliRunner.RunAsync(_environment, "submit", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--stage impl review --stage docs: [[impl, review], [docs]]", string.Join(' ', result.Stdout.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    private static List<List<string>> Stages(JsonElement spec) =>
        spec.GetProperty("stages").EnumerateArray().Select(stage => stage.EnumerateArray().Select(role => role.GetString()!).ToList()).ToList();

    [Fact]
    public async Task Submit_json_prints_only_the_management_payload()
    {
        await using var server = await StartAsync(202);

        var result = await CliRunner.RunAsync(_environment, "submit", "hi", "--to", "impl", "--json");

        Assert.Equal(0, result.ExitCode);
        using var payload = JsonDocument.Parse(result.Stdout);
        Assert.Equal("t-1", payload.RootElement.GetProperty("id").GetString());
        Assert.EndsWith("/instances/t-1", payload.RootElement.GetProperty("statusQueryGetUri").GetString(), StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task Identical_resubmission_is_noted_on_stderr()
    {
        await using var server = await StartAsync(200);

        var result = await CliRunner.RunAsync(_environment, "submit", "hi", "--to", "impl", "--id", "t-1");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("t-1\n", result.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("agentq: task 't-1' already exists with this spec; nothing new was submitted", result.ErrorLine);
    }

    [Theory]
    [InlineData(AgentTaskStatus.Completed, ExitCode.Ok)]
    [InlineData(AgentTaskStatus.Failed, ExitCode.TaskFailed)]
    [InlineData(AgentTaskStatus.Rejected, ExitCode.TaskRejected)]
    [InlineData(AgentTaskStatus.Canceled, ExitCode.TaskCanceled)]
    [InlineData(AgentTaskStatus.Expired, ExitCode.TaskExpired)]
    public async Task Submit_wait_follows_the_task_and_exits_with_how_it_ended(AgentTaskStatus end, ExitCode expected)
    {
        await using var server = await StartAsync(202, TaskViews.Task("t-1", AgentTaskStatus.Running), TaskViews.Task("t-1", end));

        var result = await CliRunner.RunAsync(_environment, "submit", "hi", "--to", "impl", "--wait", "--interval", "0.05");

        Assert.True(result.ExitCode == (int)expected, result.ToString());
        Assert.Contains($"outcome: {Names.Of(end)} by tester", result.Stdout, StringComparison.Ordinal);
        if (expected == ExitCode.Ok)
        {
            Assert.Empty(result.Stderr);
        }
        else
        {
            Assert.Equal($"agentq: task 't-1' ended {Names.Of(end)}: the task {Names.Of(end)}", result.ErrorLine);
        }
    }

    [Fact]
    public async Task Watch_timeout_exits_9_and_says_the_task_goes_on()
    {
        await using var server = await StartAsync(202, TaskViews.Task("t-1", AgentTaskStatus.Running));

        var result = await CliRunner.RunAsync(_environment, "watch", "t-1", "--timeout", "0.3", "--interval", "0.05");

        Assert.Equal((int)ExitCode.WaitTimedOut, result.ExitCode);
        Assert.Equal("agentq: timed out after 0 s waiting for task 't-1' (running); it goes on: agentq watch t-1", result.ErrorLine);
        Assert.True(server.Requests.Count >= 2, "the task was polled more than once");
    }

    [Fact]
    public async Task Watch_redirected_prints_plain_lines_per_change_without_ansi()
    {
        await using var server = await StartAsync(
            202,
            TaskViews.Task("t-1", AgentTaskStatus.Running, TaskViews.Role("impl", RoleStatus.Running)),
            TaskViews.Task("t-1", AgentTaskStatus.Running, TaskViews.Role("impl", RoleStatus.Running)),
            TaskViews.Task("t-1", AgentTaskStatus.Running, TaskViews.Role("impl", RoleStatus.Retrying, attempt: 1)),
            TaskViews.Task("t-1", AgentTaskStatus.Completed, TaskViews.Role("impl", RoleStatus.Succeeded, attempt: 2)));

        var result = await CliRunner.RunAsync(_environment, "watch", "t-1", "--interval", "0.05");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain('\u001b', result.Stdout);
        var lines = result.Stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.Single(lines, l => l.EndsWith("impl  running  1/5", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("impl  retrying  1/5", StringComparison.Ordinal));
        Assert.Contains("result: agentq result t-1 [--role ROLE] [--out DIR]", lines);
    }

    [Fact]
    public async Task Watch_json_prints_only_the_final_view()
    {
        await using var server = await StartAsync(202, TaskViews.Task("t-1", AgentTaskStatus.Running), TaskViews.Task("t-1", AgentTaskStatus.Completed));

        var result = await CliRunner.RunAsync(_environment, "watch", "t-1", "--interval", "0.05", "--json");

        Assert.Equal(0, result.ExitCode);
        using var view = JsonDocument.Parse(result.Stdout);
        Assert.Equal("completed", view.RootElement.GetProperty("state").GetString());
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task Status_prints_a_plain_table_of_roles_when_redirected()
    {
        await using var server = await StartAsync(202, TaskViews.Task("t-1", AgentTaskStatus.Running, TaskViews.Role("impl", RoleStatus.Running), TaskViews.Role("review", RoleStatus.Pending, attempt: 0)));

        var result = await CliRunner.RunAsync(_environment, "status", "t-1");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("t-1  running  type task  priority normal", lines[0], StringComparison.Ordinal);
        Assert.Equal("ROLE    STAGE  STATE    ATTEMPT  DETAIL", lines[1]);
        Assert.Equal("impl    1      running  1/5      -", lines[2]);
        Assert.Equal("review  1      pending  -        -", lines[3]);
    }

    [Fact]
    public async Task Terminal_output_uses_spectre_tables_and_a_live_view_without_failing()
    {
        using var terminal = new TestEnvironment { StdoutIsTerminal = true };
        await using var server = await StartAsync(202, TaskViews.Task("t-1", AgentTaskStatus.Running), TaskViews.Task("t-1", AgentTaskStatus.Completed));
        terminal.Variables["AGENTQ_URL"] = server.Url;

        var status = await CliRunner.RunAsync(terminal, "status", "t-1");
        var watch = await CliRunner.RunAsync(terminal, "watch", "t-1", "--interval", "0.05");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("╭", status.Stdout, StringComparison.Ordinal);
        Assert.True(watch.ExitCode == 0, watch.ToString());
        Assert.Contains("outcome: completed", watch.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_terminal_failure_states_have_failure_exit_codes()
    {
        foreach (var state in Enum.GetValues<AgentTaskStatus>().Where(s => !s.IsTerminal()))
        {
            Assert.Equal(ExitCode.Ok, ExitCodes.ForTaskState(state));
        }
    }
}
