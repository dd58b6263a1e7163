using System.Diagnostics;
using System.Text.Json;
using AgentFunctions.Testing.Http;
using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;
using AgentQ.Worker;

namespace AgentQ.Tests;

/// <summary>The pull worker's side of the lease protocol, against scripted answers on 127.0.0.1.</summary>
public sealed class WorkerTests : IAsyncLifetime
{
    private readonly TestEnvironment _environment = new();
    private WorkerStub _stub = null!;

    public async Task InitializeAsync() => _stub = await WorkerStub.StartAsync();

    public async Task DisposeAsync()
    {
        await _stub.DisposeAsync();
        _environment.Dispose();
    }

    /// <summary>Runs <c>agentq worker run --role review [options] -- program...</c> until <paramref name="done"/>, then signals shutdown.</summary>
    private async Task<CliResult> RunWorkerAsync(Func<bool> done, string[] options, params string[] program)
    {
        using var shutdown = new CancellationTokenSource();
        string[] args = ["worker", "run", "--role", "review", "--url", _stub.Url, .. options, "--", .. program];
        var run = CliRunner.RunAsync(_environment, shutdown.Token, args);
        await WorkerStub.EventuallyAsync(() => done() || run.IsCompleted);
        await shutdown.CancelAsync();
        return await run.WaitAsync(TimeSpan.FromSeconds(20));
    }

    private static JsonElement Body(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement;

    /// <summary>
    /// A shell program that first creates <paramref name="marker"/>, then runs <paramref name="script"/>: shutting
    /// down once the marker exists means "while the program runs" (a recorded lease request may not have been answered yet).
    /// </summary>
    private static string[] Marked(string marker, string script) => ["sh", "-c", "touch \"$0\"; " + script, marker];

    /// <summary>
    /// A worker holding one lease whose reports the stub never answers, allowed <paramref name="reportSlack"/> to report
    /// at shutdown, is signalled to stop while <paramref name="script"/> runs. Returns how it ended and how long it took
    /// from the signal.
    /// </summary>
    private async Task<(CliResult Result, TimeSpan Stopping)> ShutDownWhileReportsGoUnansweredAsync(string grace, TimeSpan reportSlack, string script)
    {
        _stub.Grants.Enqueue(WorkerStub.Grant());
        _stub.ReportDelay = TimeSpan.FromMinutes(10);
        using var scratch = new TempDirectory();
        var started = scratch.File("started");
        using var shutdown = new CancellationTokenSource();
        string[] args = ["worker", "run", "--role", "review", "--url", _stub.Url, "--grace", grace, "--", .. Marked(started, script)];
        var run = CliRunner.RunWithAsync(_environment, runtime => runtime with { WorkerReportSlack = reportSlack }, shutdown.Token, args);
        await WorkerStub.EventuallyAsync(() => File.Exists(started) || run.IsCompleted);
        var clock = Stopwatch.StartNew();
        await shutdown.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        return (result, clock.Elapsed);
    }

    [Fact]
    public async Task Empty_queue_204_keeps_long_polling_with_wait_and_worker_id_until_shutdown()
    {
        var result = await RunWorkerAsync(() => _stub.Leases.Count() >= 3, ["--wait", "7", "--worker-id", "w-1"], "cat");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lease = _stub.Leases.First();
        Assert.Equal("POST", lease.Method);
        Assert.Equal("/api/workers/review/lease", lease.Path);
        Assert.Equal("?wait=7", lease.Query);
        Assert.Equal("w-1", Body(lease).GetProperty("workerId").GetString());
        Assert.Equal(7, Body(lease).GetProperty("waitSeconds").GetInt32());
        Assert.Empty(_stub.Reports);
        Assert.Empty(result.Stdout);
        Assert.EndsWith(" stopped", result.StderrLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_0_completes_with_stdout_environment_and_artifact_files()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant(prompt: "Review PR 42", taskId: "t-9", attempt: 2));
        const string Script = """
            read -r line
            printf '%s|%s|%s %s %s' "$1" "$line" "$AGENTQ_TASK_ID" "$AGENTQ_ROLE" "$AGENTQ_ATTEMPT"
            mkdir -p "$AGENTQ_ARTIFACTS_DIR/notes"
            printf 'looks good' > "$AGENTQ_ARTIFACTS_DIR/notes/review.md"
            """;

        var result = await RunWorkerAsync(() => _stub.Reports.Any(), [], "sh", "-c", Script, "sh", "{input}");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = Assert.Single(_stub.Reports);
        Assert.Equal("/api/workers/review/leases/lease-1/complete", report.Path);
        var body = Body(report);
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal("Review PR 42|Review PR 42|t-9 review 2", body.GetProperty("result").GetString());
        var artifact = Assert.Single(body.GetProperty("artifacts").EnumerateArray());
        Assert.Equal("notes/review.md", artifact.GetProperty("name").GetString());
        Assert.Equal("looks good", artifact.GetProperty("content").GetString());
        Assert.Equal("utf-8", artifact.GetProperty("encoding").GetString());
        Assert.Contains(result.StderrLines, l => l.Contains("review t-9 attempt 2/5 completed, 1 artifacts in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_complete_answered_503_with_retry_after_is_sent_again_past_the_report_tries_and_the_result_is_kept()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant());
        _stub.BusyCompletes = PullWorker.ReportAttempts + 1;

        var result = await RunWorkerAsync(() => _stub.Reports.Count() > PullWorker.ReportAttempts + 1, [], "printf", "%s", "the result");

        Assert.True(result.ExitCode == 0, result.ToString());
        var reports = _stub.Reports.ToList();
        Assert.Equal(PullWorker.ReportAttempts + 2, reports.Count);
        Assert.All(reports, report => Assert.EndsWith("/complete", report.Path, StringComparison.Ordinal));
        Assert.All(reports, report => Assert.Equal("the result", Body(report).GetProperty("result").GetString()));
        Assert.Contains(result.StderrLines, l => l.Contains("attempt 1/5 completed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_agent_answer_can_ask_for_approval()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant());

        await RunWorkerAsync(() => _stub.Reports.Any(), [], "printf", "%s", """{"status":"needs_approval","summary":"Migration drafted","result":"ALTER TABLE x"}""");

        var body = Body(Assert.Single(_stub.Reports));
        Assert.Equal("needs_approval", body.GetProperty("status").GetString());
        Assert.Equal("Migration drafted", body.GetProperty("summary").GetString());
        Assert.Equal("ALTER TABLE x", body.GetProperty("result").GetString());
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    public async Task Non_zero_exit_fails_and_is_permanent_only_for_listed_codes(int exitCode, bool permanent)
    {
        _stub.Grants.Enqueue(WorkerStub.Grant());

        var result = await RunWorkerAsync(() => _stub.Reports.Any(), ["--permanent-exit-codes", "3,4"], "sh", "-c", $"echo 'quota exceeded' >&2; exit {exitCode}");

        var report = Assert.Single(_stub.Reports);
        Assert.Equal("/api/workers/review/leases/lease-1/fail", report.Path);
        var body = Body(report);
        Assert.Equal(permanent, body.GetProperty("permanent").GetBoolean());
        Assert.Equal($"'sh' exited with code {exitCode}: quota exceeded", body.GetProperty("reason").GetString());
        Assert.Contains(result.StderrLines, l => l.Contains($"failed with exit code {exitCode} ({(permanent ? "permanent" : "transient")})", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> Unrunnable = new()
    {
        { "./reviw.sh", "agentq: cannot run './reviw.sh': no such file" },
        { "/nonexistent/agent-program", "agentq: cannot run '/nonexistent/agent-program': no such file" },
        { "reviw-agent-not-on-path", "agentq: cannot run 'reviw-agent-not-on-path': not found on PATH" },
    };

    [Theory]
    [MemberData(nameof(Unrunnable))]
    public async Task Program_that_cannot_be_found_is_a_usage_error_before_the_first_lease(string program, string error)
    {
        var result = await CliRunner.RunAsync(_environment, "worker", "run", "--role", "review", "--url", _stub.Url, "--", program, "{input}");

        Assert.True(result.ExitCode == (int)ExitCode.Usage, result.ToString());
        Assert.Equal(error, result.ErrorLine);
        Assert.Empty(result.Stdout);
        Assert.Empty(_stub.Server.Requests);
    }

    [Fact]
    public async Task File_that_is_not_executable_or_a_directory_is_refused_before_the_first_lease()
    {
        using var scratch = new TempDirectory();
        var script = scratch.Script("review.sh", "echo hi", executable: false);

        var notExecutable = await CliRunner.RunAsync(_environment, "worker", "run", "--role", "review", "--url", _stub.Url, "--", script);
        var directory = await CliRunner.RunAsync(_environment, "worker", "run", "--role", "review", "--url", _stub.Url, "--", scratch.Path);

        Assert.Equal((int)ExitCode.Usage, notExecutable.ExitCode);
        Assert.Equal($"agentq: cannot run '{script}': it is not executable (chmod +x {script}, or name its interpreter: -- sh {script})", notExecutable.ErrorLine);
        Assert.Equal((int)ExitCode.Usage, directory.ExitCode);
        Assert.Equal($"agentq: cannot run '{scratch.Path}': it is a directory", directory.ErrorLine);
        Assert.Empty(_stub.Server.Requests);
    }

    [Fact]
    public async Task Program_that_stops_starting_releases_its_attempt_and_stops_the_worker()
    {
        using var scratch = new TempDirectory();
        var script = scratch.Script("agent.sh", "echo reviewed");
        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = CliRunner.RunAsync(_environment, shutdown.Token, "worker", "run", "--role", "review", "--url", _stub.Url, "--", script);
        await WorkerStub.EventuallyAsync(() => _stub.Leases.Any() || run.IsCompleted);

        // Found at start, gone by the time an attempt arrives.
        File.Delete(script);
        _stub.Grants.Enqueue(WorkerStub.Grant());
        var result = await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.False(shutdown.IsCancellationRequested, "the worker did not stop by itself");
        Assert.Equal((int)ExitCode.Error, result.ExitCode);
        Assert.Equal("/api/workers/review/leases/lease-1/release", Assert.Single(_stub.Reports).Path);
        Assert.StartsWith($"agentq: cannot start '{script}': ", result.StderrLines[^1], StringComparison.Ordinal);
        Assert.EndsWith("; the attempt was released (not counted) and the worker stopped", result.StderrLines[^1], StringComparison.Ordinal);
        Assert.Contains(result.StderrLines, l => l.Contains("review t-1 attempt 1/5 released (the program could not start) in ", StringComparison.Ordinal));
        Assert.DoesNotContain(result.StderrLines, l => l.EndsWith(" stopped", StringComparison.Ordinal) && l.StartsWith("agentq worker ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Heartbeats_continue_with_the_lease_id_the_server_returns()
    {
        // A 3 s lease: heartbeats every second; each answer rotates the id.
        _stub.Grants.Enqueue(WorkerStub.Grant(leaseId: "lease-1", leaseSeconds: 3));
        _stub.Heartbeat = (n, _) => (200, new AgentFunctions.Core.Contracts.HeartbeatResponse($"lease-{n + 1}", DateTimeOffset.UtcNow.AddSeconds(3), Canceled: false));

        await RunWorkerAsync(() => _stub.Reports.Any(), [], "sh", "-c", "sleep 2.6; echo done");

        var heartbeats = _stub.Heartbeats.Select(WorkerStub.LeaseIdOf).ToList();
        Assert.True(heartbeats.Count >= 2, $"expected at least 2 heartbeats, got {heartbeats.Count}");
        Assert.Equal(Enumerable.Range(1, heartbeats.Count).Select(n => $"lease-{n}"), heartbeats);
        var report = Assert.Single(_stub.Reports);
        Assert.Equal($"lease-{heartbeats.Count + 1}", WorkerStub.LeaseIdOf(report));
        Assert.EndsWith("/complete", report.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canceled_heartbeat_kills_the_program_and_reports_a_failure()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant(leaseSeconds: 3));
        _stub.Heartbeat = (_, leaseId) => (200, new AgentFunctions.Core.Contracts.HeartbeatResponse(leaseId, DateTimeOffset.UtcNow.AddSeconds(3), Canceled: true));
        var clock = Stopwatch.StartNew();

        var result = await RunWorkerAsync(() => _stub.Reports.Any(), [], "sleep", "30");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the program was not stopped");
        var report = Assert.Single(_stub.Reports);
        Assert.EndsWith("/fail", report.Path, StringComparison.Ordinal);
        Assert.False(Body(report).GetProperty("permanent").GetBoolean());
        Assert.Contains("canceled", Body(report).GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(result.StderrLines, l => l.Contains("canceled by the server, program stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gone_heartbeat_stops_the_program_and_drops_the_attempt()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant(leaseSeconds: 3));
        _stub.Heartbeat = (_, _) => (410, null);
        var clock = Stopwatch.StartNew();

        var result = await RunWorkerAsync(() => _stub.Heartbeats.Any() && _stub.Leases.Count() >= 3, [], "sleep", "30");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the program was not stopped");
        Assert.Empty(_stub.Reports);
        Assert.Contains(result.StderrLines, l => l.Contains("dropped (lease gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shutdown_lets_a_running_attempt_finish_within_the_grace_period()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant());
        using var scratch = new TempDirectory();
        var started = scratch.File("started");

        // Shut down as soon as the program runs; it still gets to finish.
        var result = await RunWorkerAsync(() => File.Exists(started), ["--grace", "10"], Marked(started, "sleep 0.5; echo finished"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = Assert.Single(_stub.Reports);
        Assert.EndsWith("/complete", report.Path, StringComparison.Ordinal);
        Assert.Equal("finished\n", Body(report).GetProperty("result").GetString());
        Assert.Single(_stub.Leases);
    }

    [Fact]
    public async Task Shutdown_past_the_grace_period_stops_the_program_and_releases_the_attempt()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant());
        using var scratch = new TempDirectory();
        var started = scratch.File("started");
        var clock = Stopwatch.StartNew();

        var result = await RunWorkerAsync(() => File.Exists(started), ["--grace", "0.3"], Marked(started, "exec sleep 30"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the program was not stopped");
        var report = Assert.Single(_stub.Reports);
        Assert.Equal("/api/workers/review/leases/lease-1/release", report.Path);
        Assert.Empty(report.Body);
        Assert.Contains(result.StderrLines, l => l.Contains("review t-1 attempt 1/5 released at shutdown (the program was stopped after the grace period)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Program_killed_by_the_stop_signal_during_shutdown_is_released_not_failed()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant());
        using var scratch = new TempDirectory();
        var started = scratch.File("started");
        var signaled = scratch.File("signaled");
        using var shutdown = new CancellationTokenSource();
        // What Ctrl+C does to the program in the same process group: it dies of SIGINT (exit 130) once the worker is stopping.
        string[] program = ["sh", "-c", "touch \"$0\"; while [ ! -f \"$1\" ]; do sleep 0.02; done; exit 130", started, signaled];
        var run = CliRunner.RunAsync(_environment, shutdown.Token, ["worker", "run", "--role", "review", "--url", _stub.Url, "--grace", "10", "--", .. program]);
        await WorkerStub.EventuallyAsync(() => File.Exists(started) || run.IsCompleted);

        await shutdown.CancelAsync();
        await File.WriteAllTextAsync(signaled, string.Empty);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith("/release", Assert.Single(_stub.Reports).Path, StringComparison.Ordinal);
        Assert.Contains(result.StderrLines, l => l.Contains("released at shutdown (the program was interrupted, exit code 130)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lease_granted_as_the_worker_stops_is_released_without_running_the_program()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant());
        using var marker = new TempDirectory();
        using var shutdown = new CancellationTokenSource();
        // The stop signal lands after the server granted the lease and before the worker starts the program.
        using var handler = new AfterResponseHandler(async (request, response) =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/lease", StringComparison.Ordinal) && (int)response.StatusCode == 200)
            {
                await shutdown.CancelAsync();
            }
        });

        var result = await CliRunner.RunAsync(_environment, handler, shutdown.Token, "worker", "run", "--role", "review", "--url", _stub.Url, "--", "touch", marker.File("started"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/api/workers/review/leases/lease-1/release", Assert.Single(_stub.Reports).Path);
        Assert.False(File.Exists(marker.File("started")), "the program ran");
        Assert.Contains(result.StderrLines, l => l.Contains("review t-1 attempt 1/5 released unstarted (the worker is stopping)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_without_the_release_route_gets_a_transient_failure_at_shutdown()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant());
        _stub.ReleaseStatus = 404;
        using var scratch = new TempDirectory();
        var started = scratch.File("started");

        var result = await RunWorkerAsync(() => File.Exists(started), ["--grace", "0.3"], Marked(started, "exec sleep 30"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var reports = _stub.Reports.ToList();
        Assert.Equal(["release", "fail"], reports.Select(r => r.Path.Split('/')[^1]));
        Assert.False(Body(reports[1]).GetProperty("permanent").GetBoolean());
        Assert.Equal("the worker shut down before the program finished", Body(reports[1]).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Json_prints_one_event_per_line_from_start_to_stop()
    {
        _stub.Grants.Enqueue(WorkerStub.Grant(leaseId: "lease-1", prompt: "ok", taskId: "t-1"));
        _stub.Grants.Enqueue(WorkerStub.Grant(leaseId: "lease-2", prompt: "fail", taskId: "t-2"));
        _stub.Grants.Enqueue(WorkerStub.Grant(leaseId: "lease-3", prompt: "hang", taskId: "t-3"));
        using var scratch = new TempDirectory();
        var started = scratch.File("started");
        const string Script = """
            case "$1" in
              ok) echo '{"status":"completed","summary":"all good","result":"fine"}' ;;
              fail) echo 'quota exceeded' >&2; exit 3 ;;
              *) touch "$0"; exec sleep 30 ;;
            esac
            """;

        var result = await RunWorkerAsync(() => File.Exists(started), ["--json", "--worker-id", "w-json", "--grace", "0.3", "--permanent-exit-codes", "3"], "sh", "-c", Script, started, "{input}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stderr);
        var events = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(["started", "attempt", "attempt", "stopping", "notice", "attempt", "stopped"], events.Select(e => e.GetProperty("event").GetString()));
        foreach (var e in events)
        {
            Assert.Equal("w-json", e.GetProperty("workerId").GetString());
            Assert.Equal("review", e.GetProperty("role").GetString());
            Assert.True(e.GetProperty("time").TryGetDateTimeOffset(out _), e.ToString());
        }

        var start = events[0];
        Assert.Equal(_stub.Url + "/", start.GetProperty("url").GetString());
        Assert.Equal(1, start.GetProperty("concurrency").GetInt32());
        Assert.True(Path.IsPathRooted(start.GetProperty("program").GetString()), start.ToString());
        Assert.EndsWith("/sh", start.GetProperty("program").GetString(), StringComparison.Ordinal);

        var completed = events[1];
        Assert.Equal(("t-1", 1, 5), (completed.GetProperty("taskId").GetString(), completed.GetProperty("attempt").GetInt32(), completed.GetProperty("maxAttempts").GetInt32()));
        Assert.Equal("completed", completed.GetProperty("outcome").GetString());
        Assert.True(completed.GetProperty("reported").GetBoolean());
        Assert.Equal(0, completed.GetProperty("exitCode").GetInt32());
        Assert.Equal("all good", completed.GetProperty("detail").GetString());
        Assert.True(completed.GetProperty("durationSeconds").GetDouble() >= 0);

        var failed = events[2];
        Assert.Equal("t-2", failed.GetProperty("taskId").GetString());
        Assert.Equal("failed", failed.GetProperty("outcome").GetString());
        Assert.True(failed.GetProperty("permanent").GetBoolean());
        Assert.Equal(3, failed.GetProperty("exitCode").GetInt32());
        Assert.Equal("'sh' exited with code 3: quota exceeded", failed.GetProperty("detail").GetString());
        Assert.Equal("failed with exit code 3 (permanent)", failed.GetProperty("message").GetString());

        Assert.Equal(1, events[3].GetProperty("running").GetInt32());
        Assert.Equal(0.3, events[3].GetProperty("graceSeconds").GetDouble());

        Assert.Equal("grace period over: stopping the remaining programs", events[4].GetProperty("message").GetString());

        var released = events[5];
        Assert.Equal("t-3", released.GetProperty("taskId").GetString());
        Assert.Equal("released", released.GetProperty("outcome").GetString());
        Assert.True(released.GetProperty("reported").GetBoolean());

        Assert.Equal(0, events[6].GetProperty("exitCode").GetInt32());
        Assert.False(events[6].TryGetProperty("error", out _), events[6].ToString());
        Assert.Equal(["complete", "fail", "release"], _stub.Reports.Select(r => r.Path.Split('/')[^1]));
    }

    [Fact]
    public async Task Json_worker_stopped_by_an_error_ends_with_a_stopped_event_and_the_error_line()
    {
        _stub.LeaseStatus = 403;

        var result = await RunWorkerAsync(() => false, ["--json", "--key", "k"], "cat");

        Assert.Equal((int)ExitCode.Unauthorized, result.ExitCode);
        Assert.Equal("agentq: lease refused with 403 (HTTP 403)", result.ErrorLine);
        var events = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(["started", "stopping", "stopped"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal("lease refused with 403 (HTTP 403)", events[2].GetProperty("error").GetString());
        Assert.Equal((int)ExitCode.Unauthorized, events[2].GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Release_that_gets_no_answer_at_shutdown_is_given_up_soon_after_the_grace_period()
    {
        var (result, stopping) = await ShutDownWhileReportsGoUnansweredAsync("0.3", TimeSpan.FromSeconds(1), "exec sleep 30");

        Assert.True(result.ExitCode == 0, result.ToString());
        // Grace 0.3 s + 1 s to report: far from the 5 tries of 100 s each a hung server used to cost.
        Assert.True(stopping < TimeSpan.FromSeconds(8), $"took {stopping}");
        Assert.True(stopping >= TimeSpan.FromSeconds(1.2), $"gave up early, after {stopping}");
        Assert.EndsWith("/release", Assert.Single(_stub.Reports).Path, StringComparison.Ordinal);
        Assert.Contains(result.StderrLines, l => l.Contains("review t-1 attempt 1/5 released at shutdown (the program was stopped after the grace period) (not reported: the shutdown deadline passed; the server retries the attempt when its lease expires)", StringComparison.Ordinal));
        Assert.EndsWith(" stopped", result.StderrLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Result_that_gets_no_answer_at_shutdown_is_given_up_at_the_deadline()
    {
        var (result, stopping) = await ShutDownWhileReportsGoUnansweredAsync("2", TimeSpan.FromSeconds(0.5), "sleep 0.2; echo done");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(stopping < TimeSpan.FromSeconds(8), $"took {stopping}");
        Assert.EndsWith("/complete", Assert.Single(_stub.Reports).Path, StringComparison.Ordinal);
        Assert.Contains(result.StderrLines, l => l.Contains("review t-1 attempt 1/5 finished but its result could not be reported (not reported: the shutdown deadline passed; the server retries the attempt when its lease expires)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(401, ExitCode.Unauthorized)]
    [InlineData(403, ExitCode.Unauthorized)]
    [InlineData(404, ExitCode.NotFound)]
    public async Task Refused_lease_ends_the_worker_with_the_matching_exit_code(int status, ExitCode expected)
    {
        _stub.LeaseStatus = status;

        var result = await RunWorkerAsync(() => false, ["--key", "k"], "cat");

        Assert.Equal((int)expected, result.ExitCode);
        Assert.Equal($"agentq: lease refused with {status} (HTTP {status})", result.StderrLines[^1]);
        Assert.Single(_stub.Leases);
    }

    [Theory]
    [InlineData(60, null, 20)]
    [InlineData(60, 9, 3)]
    [InlineData(2, null, 1)]
    [InlineData(30, 90, 10)]
    public void Heartbeat_interval_is_a_third_of_the_shorter_lease_and_at_least_a_second(int granted, int? requested, int expectedSeconds)
    {
        var interval = PullWorker.HeartbeatInterval(WorkerStub.Grant(leaseSeconds: granted), requested, DateTimeOffset.UtcNow);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), interval);
    }

    [Theory]
    [InlineData("45", 45)]
    [InlineData("5h", 18000)]
    [InlineData("1h30m", 5400)]
    public async Task Requested_lease_length_in_seconds_or_as_a_duration_is_sent_with_the_lease_request(string lease, int seconds)
    {
        await RunWorkerAsync(() => _stub.Leases.Any(), ["--lease", lease], "cat");

        Assert.Equal(seconds, Body(_stub.Leases.First()).GetProperty("leaseSeconds").GetInt32());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("604801")]
    [InlineData("8d")]
    [InlineData("soon")]
    public async Task Lease_outside_what_the_api_accepts_is_a_usage_error(string seconds)
    {
        var result = await CliRunner.RunAsync(_environment, "worker", "run", "--role", "review", "--url", _stub.Url, "--lease", seconds, "--", "cat");

        Assert.Equal((int)ExitCode.Usage, result.ExitCode);
        Assert.Equal($"agentq: --lease '{seconds}' is not a duration between 1s and 7d (e.g. 90, 45s, 30m, 4h, 1h30m)", result.ErrorLine);
        Assert.Empty(_stub.Server.Requests);
    }
}
