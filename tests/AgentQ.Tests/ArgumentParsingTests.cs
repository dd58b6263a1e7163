using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>Bad arguments end with exit 2 and one line on stderr, before anything is sent.</summary>
public sealed class ArgumentParsingTests : IDisposable
{
    private readonly TestEnvironment _environment = new();

    public ArgumentParsingTests()
    {
        // Any request that slipped through would end in exit 10, not 2.
        _environment.Variables["AGENTQ_URL"] = Ports.ClosedUrl();
    }

    public void Dispose() => _environment.Dispose();

    [Theory]
    [InlineData("bogus")]
    [InlineData("dlq", "bogus")]
    [InlineData("status")]
    [InlineData("status", "t1", "extra")]
    [InlineData("status", "bad/id")]
    [InlineData("reject", "t1")]
    [InlineData("cancel", "t1")]
    [InlineData("cancel", "t1", "--reason", " ")]
    [InlineData("submit", "hello")]
    [InlineData("submit", "hello", "--to", "impl", "--stage", "review")]
    [InlineData("submit", "--to", "impl")]
    [InlineData("submit", "hi", "--to", "Impl")]
    [InlineData("submit", "hi", "--to", "impl", "--ttl", "abc")]
    [InlineData("submit", "hi", "--to", "impl", "--ttl", "0")]
    [InlineData("submit", "hi", "--to", "impl", "--priority", "urgent")]
    [InlineData("submit", "hi", "--to", "impl", "--payload-fmt", "yaml")]
    [InlineData("submit", "{oops", "--to", "impl", "--payload-fmt", "json")]
    [InlineData("submit", "hi", "--to", "impl", "--timeout", "5")]
    [InlineData("submit", "hi", "--to", "impl", "--id", "bad id")]
    [InlineData("submit", "hi", "--to", "impl", "--file", "/nonexistent/context.md")]
    [InlineData("list", "--state", "sleeping")]
    [InlineData("list", "--top", "0")]
    [InlineData("watch", "t1", "--timeout", "-1")]
    [InlineData("worker", "run", "--role", "review")]
    [InlineData("worker", "run", "--", "cat")]
    [InlineData("worker", "run", "--role", "review", "--wait", "61", "--", "cat")]
    [InlineData("worker", "run", "--role", "review", "--concurrency", "0", "--", "cat")]
    [InlineData("worker", "run", "--role", "review", "--permanent-exit-codes", "3,x", "--", "cat")]
    [InlineData("metrics", "--prometheus", "--json")]
    [InlineData("status", "t1", "--url", "ftp://example.com")]
    public async Task Usage_error_exits_2_with_one_line_and_no_output(params string[] args)
    {
        var result = await CliRunner.RunAsync(_environment, args);

        Assert.True(result.ExitCode == (int)ExitCode.Usage, result.ToString());
        Assert.StartsWith("agentq: ", result.ErrorLine, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_errors_name_the_problem_in_words_and_point_to_help()
    {
        var result = await CliRunner.RunAsync(_environment, "submit", "hi", "--to", "impl", "--ttl", "soon");

        Assert.Equal("agentq: Cannot parse argument 'soon' for option '--ttl' as a whole number. (see 'agentq submit --help')", result.ErrorLine);
    }

    [Fact]
    public async Task Unknown_command_is_reported_rather_than_a_missing_one()
    {
        var result = await CliRunner.RunAsync(_environment, "dlq", "purge");

        Assert.Equal("agentq: Unrecognized command or argument 'purge'. (see 'agentq dlq --help')", result.ErrorLine);
    }

    [Fact]
    public async Task Invalid_json_content_is_one_line_naming_the_flag()
    {
        var result = await CliRunner.RunAsync(_environment, "submit", "{\"a\": ", "--to", "impl", "--payload-fmt", "json");

        Assert.StartsWith("agentq: CONTENT is not valid JSON (--payload-fmt json): ", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prose_given_to_to_gets_a_hint_about_where_content_goes()
    {
        var result = await CliRunner.RunAsync(_environment, "submit", "--to", "impl", "Fix the bug");

        Assert.Contains("'Fix the bug' is not a valid role name", result.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("put CONTENT before the options", result.ErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_arguments_prints_help_on_stderr_as_a_usage_error()
    {
        var result = await CliRunner.RunAsync(_environment);

        Assert.Equal((int)ExitCode.Usage, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("Commands:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_group_alone_prints_its_subcommands()
    {
        var result = await CliRunner.RunAsync(_environment, "dlq");

        Assert.Equal((int)ExitCode.Usage, result.ExitCode);
        Assert.Contains("replay <ID>", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command_and_documents_every_exit_code()
    {
        var result = await CliRunner.RunAsync(_environment, "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "init", "submit", "status", "list", "watch", "result", "approve", "reject", "cancel", "dlq", "health", "metrics", "take", "heartbeat", "complete", "fail", "worker" })
        {
            Assert.Contains($"\n  {command} ", result.Stdout, StringComparison.Ordinal);
        }

        foreach (var code in Enum.GetValues<ExitCode>())
        {
            var meaning = ExitCodes.Table.Single(row => row.Code == code).Meaning;
            Assert.Contains($"{(int)code,2}  {meaning}", result.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("~/.agentq/config.json", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subcommand_help_does_not_repeat_the_exit_code_table()
    {
        var result = await CliRunner.RunAsync(_environment, "worker", "run", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--permanent-exit-codes", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exit codes:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Exit_codes_are_exactly_the_documented_numbers()
    {
        var expected = new Dictionary<ExitCode, int>
        {
            [ExitCode.Ok] = 0,
            [ExitCode.Error] = 1,
            [ExitCode.Usage] = 2,
            [ExitCode.NotFound] = 3,
            [ExitCode.Conflict] = 4,
            [ExitCode.TaskFailed] = 5,
            [ExitCode.TaskRejected] = 6,
            [ExitCode.TaskCanceled] = 7,
            [ExitCode.TaskExpired] = 8,
            [ExitCode.WaitTimedOut] = 9,
            [ExitCode.Unreachable] = 10,
            [ExitCode.Unauthorized] = 11,
            [ExitCode.BadRequest] = 12,
        };

        Assert.Equal(expected.Count, Enum.GetValues<ExitCode>().Length);
        foreach (var (code, number) in expected)
        {
            Assert.Equal(number, (int)code);
        }

        Assert.Equal(Enum.GetValues<ExitCode>(), ExitCodes.Table.Select(row => row.Code));
    }
}
