using System.Globalization;
using System.Net;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Runners;
using AgentQ.Cli;
using AgentQ.Http;

namespace AgentQ.Worker;

/// <summary>
/// The pull worker: leases attempts of one role (long poll), runs the program for each with the prompt as
/// <c>{input}</c> and on stdin, heartbeats at about a third of the lease (following the lease id the server
/// returns), and reports the outcome: exit 0 completes with stdout read as an agent result plus the files in
/// <c>$AGENTQ_ARTIFACTS_DIR</c>; any other exit fails (permanent for the listed codes). On shutdown it stops
/// leasing, lets running attempts finish within the grace period, then stops the rest and releases them: the
/// server offers them again under the same attempt number, so a shutdown never costs an attempt.
/// </summary>
public sealed class PullWorker
{
    /// <summary>How often reporting a result is tried when the server cannot be reached.</summary>
    public const int ReportAttempts = 5;

    // How a program killed by SIGINT / SIGTERM exits (128 + the signal number).
    private const int InterruptedExitCode = 128 + 2;
    private const int TerminatedExitCode = 128 + 15;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly AgentQClient _client;
    private readonly WorkerSettings _settings;
    private readonly AgentProcess _process;
    private readonly TimeProvider _time;
    private readonly WorkerLog _log;

    // Set once SIGINT/SIGTERM arrived: a program that dies of that signal was interrupted, not failed.
    private volatile bool _shuttingDown;

    public PullWorker(AgentQClient client, WorkerSettings settings, AgentProcess process, TimeProvider time, WorkerLog log)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        _client = client;
        _settings = settings;
        _process = process;
        _time = time;
        _log = log;
    }

    /// <summary>
    /// Runs until <paramref name="shutdown"/> fires (then drains) or the server refuses the worker for good (then
    /// throws). The first lease request must reach the server (a wrong URL fails at once); later outages are retried.
    /// </summary>
    public async Task RunAsync(CancellationToken shutdown)
    {
        using var stopPrograms = new CancellationTokenSource();
        using var stopping = shutdown.Register(() => _shuttingDown = true);
        using var slots = new SemaphoreSlim(_settings.Concurrency);
        var running = new List<Task>();
        CliException? fatal = null;
        var failures = 0;
        var connected = false;
        _log.Info($"{_settings.WorkerId} pulling role '{_settings.Role}' from {_client.Root} (concurrency {_settings.Concurrency}); Ctrl+C stops");
        while (!shutdown.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(shutdown);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            LeaseGrant? grant;
            try
            {
                grant = await LeaseAsync(shutdown);
                failures = 0;
                connected = true;
            }
            catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
            {
                slots.Release();
                break;
            }
            catch (CliException ex) when (connected && IsRetryable(ex))
            {
                slots.Release();
                failures++;
                var delay = Backoff(failures);
                _log.Info($"lease request failed ({ex.Message}); retrying in {delay.TotalSeconds:0}s");
                if (!await DelayAsync(delay, shutdown))
                {
                    break;
                }

                continue;
            }
            catch (CliException ex)
            {
                slots.Release();
                fatal = ex;
                break;
            }

            if (grant is null)
            {
                slots.Release();
                continue;
            }

            if (shutdown.IsCancellationRequested)
            {
                // The answer crossed the stop signal: hand the attempt back untouched instead of starting it.
                await ReleaseAsync(grant, new AttemptLease(grant.LeaseId), "released unstarted (the worker is stopping)", TimeSpan.Zero);
                slots.Release();
                break;
            }

            running.RemoveAll(t => t.IsCompleted);
            running.Add(RunSlotAsync(grant, slots, stopPrograms.Token));
        }

        await DrainAsync(running, stopPrograms);
        if (fatal is not null)
        {
            // The caller prints it as the one error line.
            throw fatal;
        }

        _log.Info("stopped");
    }

    /// <summary>One lease request; null when the server had nothing within the wait (204).</summary>
    public async Task<LeaseGrant?> LeaseAsync(CancellationToken cancellationToken)
    {
        var wait = _settings.WaitSeconds.ToString(CultureInfo.InvariantCulture);
        var uri = _client.ApiRaw($"workers/{Uri.EscapeDataString(_settings.Role)}/lease?wait={wait}");
        var body = new WorkerLeaseRequest(_settings.WorkerId, _settings.WaitSeconds, _settings.LeaseSeconds);
        var response = await _client.SendAsync(HttpMethod.Post, uri, body, cancellationToken, TimeSpan.FromSeconds(_settings.WaitSeconds + 30));
        if (response.Status == HttpStatusCode.NoContent)
        {
            return null;
        }

        _client.EnsureSuccess(response);
        return response.Read<LeaseGrant>();
    }

    /// <summary>Runs one leased attempt to its report. Never throws: a worker outlives any one attempt.</summary>
    public async Task RunAttemptAsync(LeaseGrant grant, CancellationToken stopPrograms)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var started = _time.GetTimestamp();
        var lease = new AttemptLease(grant.LeaseId);
        var artifacts = Directory.CreateTempSubdirectory("agentq-worker-");
        try
        {
            using var stopProgram = CancellationTokenSource.CreateLinkedTokenSource(stopPrograms);
            using var stopHeartbeats = new CancellationTokenSource();
            var heartbeats = HeartbeatLoopAsync(grant, lease, stopProgram, stopHeartbeats.Token);
            var run = await _process.RunAsync(
                new ProcessRunRequest
                {
                    Command = _settings.Command,
                    Input = grant.Prompt,
                    Environment = AttemptEnvironment.Create(grant.TaskId, grant.Role, grant.Attempt, artifacts.FullName),
                    Timeout = _settings.Timeout,
                    MaxOutputBytes = _settings.MaxOutputBytes,
                },
                stopProgram.Token);
            await stopHeartbeats.CancelAsync();
            await heartbeats;
            await ReportAsync(grant, lease, run, artifacts, _time.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug or a local I/O error must not take the worker down; the lease expires and the attempt is retried.
            _log.Attempt(grant, "crashed in the worker", _time.GetElapsedTime(started), ex.Message);
        }
        finally
        {
            try
            {
                artifacts.Delete(recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _log.Info($"could not delete {artifacts.FullName}: {ex.Message}");
            }
        }
    }

    /// <summary>About a third of the lease: two heartbeats can be lost before the lease lapses.</summary>
    public static TimeSpan HeartbeatInterval(LeaseGrant grant, int? requestedLeaseSeconds, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var lease = grant.LeaseSeconds > 0 ? TimeSpan.FromSeconds(grant.LeaseSeconds) : grant.LeaseExpiresAt - now;
        if (requestedLeaseSeconds is { } requested && requested > 0 && TimeSpan.FromSeconds(requested) < lease)
        {
            lease = TimeSpan.FromSeconds(requested);
        }

        var third = lease / 3;
        return third < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : third;
    }

    private async Task RunSlotAsync(LeaseGrant grant, SemaphoreSlim slots, CancellationToken stopPrograms)
    {
        try
        {
            // Off the lease loop's thread: the loop goes straight back to leasing.
            await Task.Yield();
            await RunAttemptAsync(grant, stopPrograms);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task HeartbeatLoopAsync(LeaseGrant grant, AttemptLease lease, CancellationTokenSource stopProgram, CancellationToken stop)
    {
        var interval = HeartbeatInterval(grant, _settings.LeaseSeconds, _time.GetUtcNow());
        while (await DelayAsync(interval, stop))
        {
            ApiResponse response;
            try
            {
                response = await _client.SendAsync(HttpMethod.Post, LeaseUri(grant.Role, lease.LeaseId, "heartbeat"), new HeartbeatRequest(), stop, interval + TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (CliException ex)
            {
                _log.Info($"{grant.Role} {grant.TaskId}: heartbeat failed ({ex.Message}); the program keeps running");
                continue;
            }

            if (response.Status == HttpStatusCode.Gone)
            {
                lease.Gone = true;
                await stopProgram.CancelAsync();
                return;
            }

            if (!response.IsSuccess)
            {
                _log.Info($"{grant.Role} {grant.TaskId}: heartbeat refused: {ProblemText.Describe(response, keySent: true)}");
                continue;
            }

            HeartbeatResponse beat;
            try
            {
                beat = response.Read<HeartbeatResponse>();
            }
            catch (CliException ex)
            {
                _log.Info($"{grant.Role} {grant.TaskId}: {ex.Message}");
                continue;
            }

            lease.LeaseId = beat.LeaseId;
            if (beat.Canceled)
            {
                lease.Canceled = true;
                await stopProgram.CancelAsync();
                return;
            }
        }
    }

    private async Task ReportAsync(LeaseGrant grant, AttemptLease lease, ProcessRunResult run, DirectoryInfo artifacts, TimeSpan duration)
    {
        var program = _settings.Command[0];
        if (lease.Gone)
        {
            _log.Attempt(grant, "dropped (lease gone: it expired or the attempt was retried elsewhere; the program was stopped)", duration);
            return;
        }

        if (lease.Canceled)
        {
            await FailAsync(grant, lease, "the task was canceled; the worker stopped the program", permanent: false, "canceled by the server, program stopped", duration);
            return;
        }

        if (run.Canceled)
        {
            await ReleaseAsync(grant, lease, "released at shutdown (the program was stopped after the grace period)", duration);
            return;
        }

        if (_shuttingDown && run.ExitCode is InterruptedExitCode or TerminatedExitCode)
        {
            // Ctrl+C reaches the whole process group: the program died of the same signal that stops the worker.
            await ReleaseAsync(grant, lease, string.Create(CultureInfo.InvariantCulture, $"released at shutdown (the program was interrupted, exit code {run.ExitCode})"), duration);
            return;
        }

        if (!run.Started)
        {
            await FailAsync(grant, lease, run.StartError!, permanent: true, "failed to start (permanent)", duration);
            return;
        }

        if (run.TimedOut)
        {
            await FailAsync(grant, lease, ProgramOutput.DescribeTimeout(program, _settings.Timeout ?? TimeSpan.Zero, run), permanent: false, "timed out", duration);
            return;
        }

        if (run.ExitCode != 0)
        {
            var permanent = _settings.PermanentExitCodes.Contains(run.ExitCode);
            var kind = permanent ? "permanent" : "transient";
            await FailAsync(grant, lease, ProgramOutput.DescribeExit(program, run), permanent, string.Create(CultureInfo.InvariantCulture, $"failed with exit code {run.ExitCode} ({kind})"), duration);
            return;
        }

        var answer = ProgramOutput.Interpret(run, artifacts, _settings.MaxOutputBytes, "the agentq worker");
        var result = answer.Result;
        var response = await SendReportAsync(grant, lease, "complete", result);
        switch (response)
        {
            case null:
                _log.Attempt(grant, "finished but its result could not be reported (server unreachable; the lease will expire)", duration);
                break;
            case { Status: HttpStatusCode.Gone }:
                _log.Attempt(grant, "finished after its lease was gone; result dropped", duration);
                break;
            case { IsSuccess: true }:
                var artifactsNote = result.Artifacts.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $", {result.Artifacts.Count} artifacts") : string.Empty;
                _log.Attempt(grant, $"{Output.Fmt.Of(result.Status)}{artifactsNote}", duration, result.Summary);
                break;
            case { Status: HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnsupportedMediaType }:
                // The result cannot be stored (e.g. an artifact over the limit): say so as a failure, so the task does not wait for a lease to lapse.
                var refused = ProblemText.Describe(response, keySent: true);
                await FailAsync(grant, lease, $"the server refused the result: {refused}", permanent: false, "result refused", duration, refused);
                break;
            default:
                _log.Attempt(grant, "finished but the server refused its result", duration, ProblemText.Describe(response, keySent: true));
                break;
        }
    }

    private async Task FailAsync(LeaseGrant grant, AttemptLease lease, string reason, bool permanent, string outcome, TimeSpan duration, string? detail = null)
    {
        var response = await SendReportAsync(grant, lease, "fail", new FailRequest { Reason = reason, Permanent = permanent });
        var suffix = response switch
        {
            null => " (not reported: server unreachable; the lease will expire)",
            { Status: HttpStatusCode.Gone } => " (lease already gone)",
            { IsSuccess: false } => " (the server refused the report)",
            _ => string.Empty,
        };
        _log.Attempt(grant, outcome + suffix, duration, detail ?? reason);
    }

    /// <summary>Hands the attempt back without counting it; a server without the release route gets a transient failure instead.</summary>
    private async Task ReleaseAsync(LeaseGrant grant, AttemptLease lease, string outcome, TimeSpan duration)
    {
        var response = await SendReportAsync(grant, lease, "release", null);
        if (response is { Status: HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed })
        {
            await FailAsync(grant, lease, "the worker shut down before the program finished", permanent: false, "stopped at shutdown", duration);
            return;
        }

        var suffix = response switch
        {
            null => " (not reported: server unreachable; the lease will expire)",
            { Status: HttpStatusCode.Gone } => " (lease already gone)",
            { IsSuccess: false } => " (the server refused the release: " + ProblemText.Describe(response, keySent: true) + ")",
            _ => string.Empty,
        };
        _log.Attempt(grant, outcome + suffix, duration);
    }

    /// <summary>POSTs complete, fail or release with the latest lease id; retries while the server is unreachable or answers 5xx. Null when it never answered.</summary>
    private async Task<ApiResponse?> SendReportAsync(LeaseGrant grant, AttemptLease lease, string action, object? body)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await _client.SendAsync(HttpMethod.Post, LeaseUri(grant.Role, lease.LeaseId, action), body, CancellationToken.None);
                if ((int)response.Status < 500 || attempt >= ReportAttempts)
                {
                    return response;
                }
            }
            catch (CliException) when (attempt < ReportAttempts)
            {
                // Unreachable for a moment: the result is worth a few more tries.
            }
            catch (CliException)
            {
                return null;
            }

            await Task.Delay(Backoff(attempt), _time, CancellationToken.None);
        }
    }

    private async Task DrainAsync(List<Task> running, CancellationTokenSource stopPrograms)
    {
        running.RemoveAll(t => t.IsCompleted);
        if (running.Count == 0)
        {
            return;
        }

        _log.Info(string.Create(CultureInfo.InvariantCulture, $"stopping: waiting up to {_settings.Grace.TotalSeconds:0}s for {running.Count} running attempt(s)"));
        var all = Task.WhenAll(running);
        try
        {
            await all.WaitAsync(_settings.Grace, _time);
        }
        catch (TimeoutException)
        {
            _log.Info("grace period over: stopping the remaining programs");
            await stopPrograms.CancelAsync();
            await all;
        }
    }

    private Uri LeaseUri(string role, string leaseId, string action) => _client.Api("workers", role, "leases", leaseId, action);

    private static bool IsRetryable(CliException exception) => exception.ExitCode is ExitCode.Unreachable or ExitCode.Error;

    private static TimeSpan Backoff(int failures)
    {
        var seconds = Math.Pow(2, Math.Min(failures - 1, 5));
        var delay = TimeSpan.FromSeconds(seconds);
        return delay < MaxBackoff ? delay : MaxBackoff;
    }

    /// <summary>False when <paramref name="cancellationToken"/> fired first.</summary>
    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
