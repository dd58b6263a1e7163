using System.Diagnostics;
using AgentFunctions.Core.Runners;
using AgentFunctions.Testing;

namespace AgentFunctions.Core.Tests.Runners;

public sealed class AgentProcessTests
{
    private const string TrickyPrompt = "He said \"hi\" & 'bye'; $HOME `id` \\n\nsecond line\ttab — ünïcödé 漢字 🚀 {input}";

    private readonly AgentProcess _process = new();

    [Fact]
    public async Task Input_placeholder_arrives_intact_inside_an_argument()
    {
        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["printf", "%s", "<<{input}>>"], Input = TrickyPrompt, Timeout = TimeSpan.FromSeconds(20) },
            CancellationToken.None);

        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal($"<<{TrickyPrompt}>>", run.StandardOutput);
    }

    [Fact]
    public void Placeholder_is_never_expanded_in_the_program_name()
    {
        var argv = AgentProcess.ExpandArguments(["{input}", "a{input}b{input}"], "x");

        Assert.Equal(["{input}", "axbx"], argv);
    }

    [Fact]
    public async Task Prompt_arrives_on_stdin_as_utf8_without_bom()
    {
        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["cat"], Input = TrickyPrompt, Timeout = TimeSpan.FromSeconds(20) },
            CancellationToken.None);

        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal(TrickyPrompt, run.StandardOutput);
    }

    [Fact]
    public async Task Large_prompt_and_large_output_flow_at_the_same_time_without_deadlock()
    {
        var prompt = string.Concat(Enumerable.Repeat("0123456789abcdef", 256 * 1024)); // 4 MiB through stdin and back

        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["cat"], Input = prompt, Timeout = TimeSpan.FromSeconds(30), MaxOutputBytes = 8 * 1024 * 1024 },
            CancellationToken.None);

        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal(prompt.Length, run.StandardOutput.Length);
        Assert.False(run.StandardOutputTruncated);
    }

    [Fact]
    public async Task Program_that_does_not_read_stdin_is_not_hurt_by_a_large_prompt()
    {
        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["sh", "-c", "echo ignored stdin"], Input = new string('p', 2 * 1024 * 1024), Timeout = TimeSpan.FromSeconds(20) },
            CancellationToken.None);

        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal("ignored stdin\n", run.StandardOutput);
    }

    [Fact]
    public async Task Huge_stdout_and_stderr_are_capped_while_the_program_runs_to_its_end()
    {
        var stopwatch = Stopwatch.StartNew();

        var run = await _process.RunAsync(
            new ProcessRunRequest
            {
                Command = ["sh", "-c", "head -c 50000000 /dev/zero | tr '\\0' a; head -c 20000000 /dev/zero | tr '\\0' e >&2; echo finished >&2"],
                MaxOutputBytes = 64 * 1024,
                Timeout = TimeSpan.FromSeconds(30),
            },
            CancellationToken.None);

        Assert.True(run.Succeeded, $"exit {run.ExitCode}, timed out {run.TimedOut}");
        Assert.Equal(new string('a', 64 * 1024), run.StandardOutput);
        Assert.True(run.StandardOutputTruncated);
        Assert.Equal(50_000_000, run.StandardOutputBytes);
        Assert.True(run.StandardErrorTruncated);
        Assert.Equal(20_000_009, run.StandardErrorBytes);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Truncation_does_not_leave_half_a_character()
    {
        // "aéé" is five bytes; a cap of four cuts the second "é" in half, and that half must go.
        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["printf", "%s", "aéé"], MaxOutputBytes = 4, Timeout = TimeSpan.FromSeconds(20) },
            CancellationToken.None);

        Assert.True(run.StandardOutputTruncated);
        Assert.Equal("aé", run.StandardOutput);
    }

    [Fact]
    public async Task Working_directory_and_environment_are_applied()
    {
        using var directory = new TempDirectory();

        var run = await _process.RunAsync(
            new ProcessRunRequest
            {
                Command = ["sh", "-c", "pwd; printf '%s|%s' \"$AGENTQ_GREETING\" \"${HOME-unset}\""],
                WorkingDirectory = directory.Path,
                Environment = new Dictionary<string, string?> { ["AGENTQ_GREETING"] = "héllo wörld", ["HOME"] = null },
                Timeout = TimeSpan.FromSeconds(20),
            },
            CancellationToken.None);

        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal($"{directory.Path}\nhéllo wörld|unset", run.StandardOutput);
    }

    [Fact]
    public async Task Timeout_kills_the_whole_process_tree()
    {
        using var directory = new TempDirectory();
        var shellPid = directory.File("shell.pid");
        var sleepPid = directory.File("sleep.pid");
        var stopwatch = Stopwatch.StartNew();

        var run = await _process.RunAsync(
            new ProcessRunRequest
            {
                Command = ["sh", "-c", "echo $$ > \"$1\"; sleep 60 & echo $! > \"$2\"; wait", "sh", shellPid, sleepPid],
                Timeout = TimeSpan.FromSeconds(1),
            },
            CancellationToken.None);

        Assert.True(run.TimedOut);
        Assert.False(run.Canceled);
        Assert.False(run.Succeeded);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(await ProcessProbe.ReadPidAsync(sleepPid, TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5)), "the grandchild survived");
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(await ProcessProbe.ReadPidAsync(shellPid, TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5)), "the child survived");
    }

    [Fact]
    public async Task Cancellation_kills_the_whole_process_tree_and_reports_it()
    {
        using var directory = new TempDirectory();
        var sleepPid = directory.File("sleep.pid");
        using var cancellation = new CancellationTokenSource();

        var running = _process.RunAsync(
            new ProcessRunRequest { Command = ["sh", "-c", "sleep 60 & echo $! > \"$1\"; wait", "sh", sleepPid], Timeout = TimeSpan.FromSeconds(30) },
            cancellation.Token);
        var pid = await ProcessProbe.ReadPidAsync(sleepPid, TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();
        var run = await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(run.Canceled);
        Assert.False(run.TimedOut);
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(pid, TimeSpan.FromSeconds(5)), "the grandchild survived");
    }

    [Fact]
    public async Task Background_process_holding_the_pipes_does_not_hold_up_a_finished_run()
    {
        using var directory = new TempDirectory();
        var daemonPid = directory.File("daemon.pid");
        var stopwatch = Stopwatch.StartNew();

        // The shell exits at once, but the sleep it leaves behind inherited stdout and stderr.
        var run = await _process.RunAsync(
            new ProcessRunRequest
            {
                Command = ["sh", "-c", "sleep 30 & echo $! > \"$1\"; echo started", "sh", daemonPid],
                Timeout = TimeSpan.FromSeconds(30),
                OutputDrainGrace = TimeSpan.FromMilliseconds(300),
            },
            CancellationToken.None);

        try
        {
            Assert.True(run.Succeeded);
            Assert.Equal("started\n", run.StandardOutput);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        }
        finally
        {
            // The orphan is outside any tree we own; end it so the test leaves nothing behind.
            if (int.TryParse(File.ReadAllText(daemonPid).Trim(), out var pid) && ProcessProbe.IsAlive(pid))
            {
                using var orphan = Process.GetProcessById(pid);
                orphan.Kill();
            }
        }
    }

    [Fact]
    public async Task Missing_program_is_a_start_error()
    {
        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["agentq-no-such-program-4711"], Timeout = TimeSpan.FromSeconds(5) },
            CancellationToken.None);

        Assert.False(run.Started);
        Assert.Contains("agentq-no-such-program-4711", run.StartError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_working_directory_is_a_start_error()
    {
        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["true"], WorkingDirectory = "/nonexistent/agentq", Timeout = TimeSpan.FromSeconds(5) },
            CancellationToken.None);

        Assert.False(run.Started);
        Assert.Contains("/nonexistent/agentq", run.StartError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_code_and_stderr_are_reported()
    {
        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["sh", "-c", "echo out; echo err >&2; exit 7"], Timeout = TimeSpan.FromSeconds(20) },
            CancellationToken.None);

        Assert.Equal(7, run.ExitCode);
        Assert.Equal("out\n", run.StandardOutput);
        Assert.Equal("err\n", run.StandardError);
        Assert.False(run.Succeeded);
        Assert.True(run.Duration > TimeSpan.Zero);
    }
}
