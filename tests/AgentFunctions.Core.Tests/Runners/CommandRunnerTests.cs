using System.Diagnostics;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using Microsoft.Extensions.Logging.Abstractions;
using AgentFunctions.Testing;

namespace AgentFunctions.Core.Tests.Runners;

public sealed class CommandRunnerTests
{
    private static CommandRunner Runner(RoleDefinition role, TaskLimits? limits = null) =>
        new(role, new AgentProcess(), limits ?? new TaskLimits(), NullLogger<CommandRunner>.Instance);

    private static Task<AgentResult> RunAsync(RoleDefinition role, AgentAttempt? attempt = null, CancellationToken cancellationToken = default) =>
        Runner(role).RunAsync(attempt ?? RunnerTestData.Attempt(), cancellationToken);

    [Fact]
    public async Task Stdout_of_a_successful_program_is_the_markdown_result()
    {
        var result = await RunAsync(RunnerTestData.CommandRole("sh", "-c", "printf '# Done\\n\\nAll tests pass.\\n'"));

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal("# Done\n\nAll tests pass.\n", result.Result);
        Assert.Equal("# Done", result.Summary);
        Assert.Empty(result.Artifacts);
    }

    [Fact]
    public async Task Json_agent_result_on_stdout_can_ask_for_approval()
    {
        var result = await RunAsync(RunnerTestData.CommandRole(
            "printf", "%s", """{"status":"needs_approval","summary":"Migration drafted","result":"ALTER TABLE ...","usage":{"inputTokens":10,"outputTokens":5,"costUsd":0.01}}"""));

        Assert.Equal(AgentResultStatus.NeedsApproval, result.Status);
        Assert.Equal("Migration drafted", result.Summary);
        Assert.Equal("ALTER TABLE ...", result.Result);
        Assert.Equal(10, result.Usage?.InputTokens);
    }

    [Fact]
    public async Task Prompt_reaches_the_program_as_argument_and_on_stdin()
    {
        var prompt = "Fix \"the\" bug's cause\nline 2 — ünïcödé 🚀 `rm -rf /` $(id)";

        var asArgument = await RunAsync(RunnerTestData.CommandRole("printf", "%s", "{input}"), RunnerTestData.Attempt(prompt));
        var onStdin = await RunAsync(RunnerTestData.CommandRole("cat"), RunnerTestData.Attempt(prompt));

        Assert.Equal(prompt, asArgument.Result);
        Assert.Equal(prompt, onStdin.Result);
    }

    [Fact]
    public async Task The_program_gets_the_attempts_trace_context_and_never_an_inherited_one()
    {
        const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var print = RunnerTestData.CommandRole("sh", "-c", "printf '%s|%s' \"$TRACEPARENT\" \"$TRACESTATE\"");

        var traced = await RunAsync(print, RunnerTestData.Attempt() with { TraceParent = TraceParent, TraceState = "vendor=1" });
        Environment.SetEnvironmentVariable("TRACEPARENT", "00-11111111111111111111111111111111-2222222222222222-01");
        AgentResult untraced;
        try
        {
            untraced = await RunAsync(print, RunnerTestData.Attempt());
        }
        finally
        {
            Environment.SetEnvironmentVariable("TRACEPARENT", null);
        }

        Assert.Equal(TraceParent + "|vendor=1", traced.Result);
        Assert.Equal("|", untraced.Result);
    }

    [Fact]
    public async Task The_program_never_sees_the_hosts_own_credentials_but_keeps_the_rest_of_its_environment()
    {
        var print = RunnerTestData.CommandRole("sh", "-c", "printf '%s|%s|%s|%s' \"$Auth__Keys__7__Key\" \"$Roles__writer__ApiKey\" \"$AzureWebJobsStorage\" \"$AGENTFUNCTIONS_TEST_KEEP\"");
        string[] names = ["Auth__Keys__7__Key", "Roles__writer__ApiKey", "AzureWebJobsStorage", "AGENTFUNCTIONS_TEST_KEEP"];
        foreach (var name in names)
        {
            Environment.SetEnvironmentVariable(name, "value-of-" + name);
        }

        AgentResult result;
        try
        {
            result = await RunAsync(print);
        }
        finally
        {
            foreach (var name in names)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }

        Assert.Equal("|||value-of-AGENTFUNCTIONS_TEST_KEEP", result.Result);
    }

    [Theory]
    [InlineData("Auth__Keys__0__Key", true)]
    [InlineData("auth__keys__0__name", true)]
    [InlineData("Auth:Keys:0:Key", true)]
    [InlineData("Roles__writer__ApiKey", true)]
    [InlineData("AzureWebJobsStorage__accountName", true)]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING", true)]
    [InlineData("OTEL_EXPORTER_OTLP_HEADERS", true)]
    [InlineData("OPENAI_API_KEY", false)]
    [InlineData("Roles__writer__Runner", false)]
    [InlineData("PATH", false)]
    public void Host_credentials_are_told_apart_from_what_an_agent_needs(string name, bool secret) =>
        Assert.Equal(secret, HostSecretVariables.IsSecret(name));

    [Fact]
    public async Task A_prompt_too_long_for_one_argument_fails_at_once_saying_why_and_stdin_still_carries_it()
    {
        var prompt = new string('x', 200 * 1024);

        var asArgument = await RunAsync(RunnerTestData.CommandRole("printf", "%s", "{input}"), RunnerTestData.Attempt(prompt));
        var onStdin = await RunAsync(RunnerTestData.CommandRole("wc", "-c"), RunnerTestData.Attempt(prompt));

        Assert.Equal(AgentResultStatus.Failed, asArgument.Status);
        Assert.True(asArgument.Permanent);
        Assert.Contains("argument 2 is 204800 bytes once {input} holds the prompt, and Linux takes at most 131071 in one argument", asArgument.Summary, StringComparison.Ordinal);
        Assert.Equal("204800", onStdin.Result!.Trim());
    }

    [Fact]
    public async Task Attempt_is_described_in_environment_variables()
    {
        var result = await RunAsync(
            RunnerTestData.CommandRole("sh", "-c", "printf '%s %s %s' \"$AGENTQ_TASK_ID\" \"$AGENTQ_ROLE\" \"$AGENTQ_ATTEMPT\""),
            RunnerTestData.Attempt(taskId: "t-9", role: "review", attempt: 4));

        Assert.Equal("t-9 review 4", result.Result);
    }

    [Fact]
    public async Task Program_runs_in_the_role_working_directory()
    {
        using var directory = new TempDirectory();

        var result = await RunAsync(RunnerTestData.CommandRole("pwd") with { WorkingDirectory = directory.Path });

        Assert.Equal(directory.Path + "\n", result.Result);
    }

    [Fact]
    public async Task Non_zero_exit_is_a_transient_failure_naming_code_and_stderr()
    {
        var result = await RunAsync(RunnerTestData.CommandRole("sh", "-c", "echo 'partial output'; echo 'rate limited by upstream' >&2; exit 3"));

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.False(result.Permanent);
        Assert.Contains("exited with code 3", result.Summary, StringComparison.Ordinal);
        Assert.Contains("rate limited by upstream", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_code_listed_as_permanent_is_a_permanent_failure()
    {
        var role = RunnerTestData.CommandRole("sh", "-c", "echo 'bad spec' >&2; exit 3") with { PermanentExitCodes = [2, 3] };

        var result = await RunAsync(role);

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.True(result.Permanent);
        Assert.Contains("exited with code 3", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_message_carries_only_the_tail_of_a_long_stderr()
    {
        var result = await RunAsync(RunnerTestData.CommandRole("sh", "-c", "echo START-OF-ERRORS >&2; head -c 10000 /dev/zero | tr '\\0' x >&2; echo ' THE-REAL-CAUSE' >&2; exit 1"));

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.NotNull(result.Summary);
        Assert.EndsWith("THE-REAL-CAUSE", result.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("START-OF-ERRORS", result.Summary, StringComparison.Ordinal);
        Assert.True(result.Summary.Length <= CommandRunner.MaxErrorTailChars + 100, $"{result.Summary.Length} chars");
    }

    [Fact]
    public async Task Timeout_is_a_transient_failure_and_kills_the_process_tree()
    {
        using var directory = new TempDirectory();
        var sleepPid = directory.File("sleep.pid");
        var role = RunnerTestData.CommandRole("sh", "-c", "sleep 60 & echo $! > \"$1\"; wait", "sh", sleepPid) with { Timeout = TimeSpan.FromSeconds(1) };
        var stopwatch = Stopwatch.StartNew();

        var result = await RunAsync(role);

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.False(result.Permanent);
        Assert.Contains("timed out after 1s", result.Summary, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(await ProcessProbe.ReadPidAsync(sleepPid, TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5)), "the grandchild survived");
    }

    [Fact]
    public async Task Cancellation_throws_and_kills_the_process()
    {
        using var directory = new TempDirectory();
        var sleepPid = directory.File("sleep.pid");
        using var cancellation = new CancellationTokenSource();
        var role = RunnerTestData.CommandRole("sh", "-c", "sleep 60 & echo $! > \"$1\"; wait", "sh", sleepPid);

        var running = RunAsync(role, cancellationToken: cancellation.Token);
        var pid = await ProcessProbe.ReadPidAsync(sleepPid, TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(pid, TimeSpan.FromSeconds(5)), "the grandchild survived");
    }

    [Fact]
    public async Task Huge_output_is_capped_and_noted_without_hanging()
    {
        var role = RunnerTestData.CommandRole("sh", "-c", "head -c 50000000 /dev/zero | tr '\\0' y") with { MaxOutputBytes = 64 * 1024 };
        var stopwatch = Stopwatch.StartNew();

        var result = await RunAsync(role);

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.NotNull(result.Result);
        Assert.StartsWith(new string('y', 64 * 1024), result.Result, StringComparison.Ordinal);
        Assert.Contains("cut to its first 65536 of 50000000 bytes", result.Result, StringComparison.Ordinal);
        Assert.True(result.Result.Length < (64 * 1024) + 500);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Files_written_to_the_artifacts_directory_become_artifacts()
    {
        const string Script = """
            mkdir -p "$AGENTQ_ARTIFACTS_DIR/reports/2024" &&
            printf '# Report\n\nünïcödé ✓\n' > "$AGENTQ_ARTIFACTS_DIR/summary.md" &&
            printf 'nested' > "$AGENTQ_ARTIFACTS_DIR/reports/2024/q1.txt" &&
            printf '\377\376\000\001\200' > "$AGENTQ_ARTIFACTS_DIR/image.bin" &&
            echo "$AGENTQ_ARTIFACTS_DIR"
            """;

        var result = await RunAsync(RunnerTestData.CommandRole("sh", "-c", Script));

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        var artifacts = result.Artifacts.ToDictionary(a => a.Name);
        Assert.Equal(["image.bin", "reports/2024/q1.txt", "summary.md"], artifacts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("utf-8", artifacts["summary.md"].Encoding);
        Assert.Equal("# Report\n\nünïcödé ✓\n", artifacts["summary.md"].Content);
        Assert.Equal("nested", artifacts["reports/2024/q1.txt"].Content);
        Assert.Equal("base64", artifacts["image.bin"].Encoding);
        Assert.Equal(new byte[] { 0xFF, 0xFE, 0x00, 0x01, 0x80 }, artifacts["image.bin"].GetBytes());

        // The directory was the program's for one attempt only.
        var artifactsDirectory = result.Result!.Trim();
        Assert.StartsWith(Path.GetTempPath().TrimEnd('/'), artifactsDirectory, StringComparison.Ordinal);
        Assert.False(Directory.Exists(artifactsDirectory), "the artifacts directory was left behind");
    }

    [Fact]
    public async Task Artifact_files_with_unacceptable_names_are_skipped_with_a_note()
    {
        var result = await RunAsync(RunnerTestData.CommandRole(
            "sh", "-c", "printf ok > \"$AGENTQ_ARTIFACTS_DIR/good.txt\"; printf bad > \"$AGENTQ_ARTIFACTS_DIR/has space.txt\"; echo done"));

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal("good.txt", Assert.Single(result.Artifacts).Name);
        Assert.Contains("Skipped the artifact file 'has space.txt'", result.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Artifact_files_over_the_configured_artifact_limit_are_skipped_with_a_note()
    {
        const string Script = """
            head -c 1024 /dev/zero | tr '\0' 'a' > "$AGENTQ_ARTIFACTS_DIR/fits.txt" &&
            head -c 1025 /dev/zero | tr '\0' 'b' > "$AGENTQ_ARTIFACTS_DIR/too-big.txt" &&
            echo done
            """;

        var result = await Runner(RunnerTestData.CommandRole("sh", "-c", Script), new TaskLimits { MaxArtifactBytes = 1024 })
            .RunAsync(RunnerTestData.Attempt(), CancellationToken.None);

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal("fits.txt", Assert.Single(result.Artifacts).Name);
        Assert.Contains("Skipped the artifact file 'too-big.txt': 1025 bytes is more than 1024", result.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Artifacts_are_not_collected_from_a_failed_run()
    {
        var result = await RunAsync(RunnerTestData.CommandRole("sh", "-c", "printf x > \"$AGENTQ_ARTIFACTS_DIR/a.txt\"; exit 1"));

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.Empty(result.Artifacts);
    }

    [Fact]
    public async Task Missing_program_is_a_permanent_failure()
    {
        var result = await RunAsync(RunnerTestData.CommandRole("agentq-no-such-agent-cli", "{input}"));

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.True(result.Permanent);
        Assert.Contains("cannot start 'agentq-no-such-agent-cli'", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Role_without_a_command_is_a_permanent_failure()
    {
        var result = await RunAsync(RunnerTestData.CommandRole());

        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.True(result.Permanent);
    }
}
