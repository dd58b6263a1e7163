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
/// server offers them again under the same attempt number, so a shutdown never costs an attempt. Reports still
/// unsent a little after the grace period are given up (the lease expiry makes the server retry). A program
/// that cannot start releases its attempt and stops the worker: it would fail every attempt the same way.
/// </summary>
public sealed class PullWorker : IDisposable
{
    /// <summary>How often reporting a result is tried when the server cannot be reached.</summary>
    public const int ReportAttempts = 5;

    // How a program killed by SIGINT / SIGTERM exits (128 + the signal number).
    private const int InterruptedExitCode = 128 + 2;
    private const int TerminatedExitCode = 128 + 15;

    private const string GaveUpNote = " (not reported: the shutdown deadline passed; the server retries the attempt when its lease expires)";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly AgentQClient _client;
    private readonly WorkerSettings _settings;
    private readonly AgentProcess _process;
    private readonly TimeProvider _time;
    private readonly WorkerLog _log;

    // Fires on SIGINT/SIGTERM and when the worker stops itself: no more leases.
    private readonly CancellationTokenSource _stop = new();

    // Fires Grace + ReportSlack after the stop: reports still unsent then are given up.
    private readonly CancellationTokenSource _reportCutoff;

    private int _stopRequested;
    private CliException? _fatal;

    // Set once the worker is stopping: a program that dies of SIGINT/SIGTERM was interrupted, not failed.
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
        _reportCutoff = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    /// <summary>
    /// Runs until <paramref name="shutdown"/> fires (then drains), or until the server refuses the worker for good
    /// or the program cannot start (then drains and throws). The first lease request must reach the server (a wrong
    /// URL fails at once); later outages are retried.
    /// </summary>
    public async Task RunAsync(CancellationToken shutdown)
    {
        using var stopPrograms = new CancellationTokenSource();
        using var signaled = shutdown.Register(RequestStop);
        using var slots = new SemaphoreSlim(_settings.Concurrency);
        var stop = _stop.Token;
        var running = new List<Task>();
        var failures = 0;
        var connected = false;
        _log.Started(_client.Root, _settings.Concurrency, _settings.Executable ?? _settings.Command[0]);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            LeaseGrant? grant;
            try
            {
                grant = await LeaseAsync(stop);
                failures = 0;
                connected = true;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                slots.Release();
                break;
            }
            catch (CliException ex) when (connected && IsRetryable(ex))
            {
                slots.Release();
                failures++;
                var delay = Backoff(failures);
                _log.Notice($"lease request failed ({ex.Message}); retrying in {delay.TotalSeconds:0}s");
                if (!await DelayAsync(delay, stop))
                {
                    break;
                }

                continue;
            }
            catch (CliException ex)
            {
                slots.Release();
                Stop(ex);
                break;
            }

            if (grant is null)
            {
                slots.Release();
                continue;
            }

            if (stop.IsCancellationRequested)
            {
                // The answer crossed the stop signal: hand the attempt back untouched instead of starting it.
                var unstarted = await ReleaseAsync(grant, new AttemptLease(grant.LeaseId), "released unstarted (the worker is stopping)", "the worker stopped before it started the program");
                _log.Attempt(grant, unstarted, TimeSpan.Zero);
                slots.Release();
                break;
            }

            running.RemoveAll(t => t.IsCompleted);
            running.Add(RunSlotAsync(grant, slots, stopPrograms.Token));
        }

        RequestStop();
        await DrainAsync(running, stopPrograms);
        var fatal = Volatile.Read(ref _fatal);
        _log.Stopped(fatal);
        if (fatal is not null)
        {
            // The caller prints it as the one error line.
            throw fatal;
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _reportCutoff.Dispose();
    }

    /// <summary>One lease request; null when the server had nothing within the wait (204).</summary>
    public async Task<LeaseGrant?> LeaseAsync(CancellationToken cancellationToken)
    {
        var wait = _settings.WaitSeconds.ToString(CultureInfo.InvariantCulture);
        var uri = _client.ApiRaw($"workers/{Uri.EscapeDataString(_settings.Role)}/lease?wait={wait}");
        var body = new WorkerLeaseRequest(_settings.WorkerId, _settings.WaitSeconds, _settings.LeaseSeconds, _settings.Capabilities);
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
        var lease = new AttemptLease(grant.LeaseId) { Trace = WorkerTrace.Start(grant, _time.GetUtcNow()) };
        var artifacts = Directory.CreateTempSubdirectory("agentq-worker-");
        try
        {
            using var stopProgram = CancellationTokenSource.CreateLinkedTokenSource(stopPrograms);
            using var stopHeartbeats = new CancellationTokenSource();
            var heartbeats = HeartbeatLoopAsync(grant, lease, stopProgram, stopHeartbeats.Token);
            var run = await _process.RunAsync(
                new ProcessRunRequest
                {
                    Command = _settings.Executable is { } executable ? [executable, .. _settings.Command.Skip(1)] : _settings.Command,
                    Input = grant.Prompt,
                    Environment = AttemptEnvironment.Create(grant.TaskId, grant.Role, grant.Attempt, artifacts.FullName, grant.TraceParent, grant.TraceState),
                    Timeout = _settings.Timeout,
                    MaxOutputBytes = _settings.MaxOutputBytes,
                },
                stopProgram.Token);
            await stopHeartbeats.CancelAsync();
            await heartbeats;
            var duration = _time.GetElapsedTime(started);
            _log.Attempt(grant, await ReportAsync(grant, lease, run, artifacts), duration);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug or a local I/O error must not take the worker down; the lease expires and the attempt is retried.
            _log.Attempt(grant, new AttemptEnd(AttemptOutcomes.Error, "crashed in the worker", Reported: false, ex.Message), _time.GetElapsedTime(started));
        }
        finally
        {
            try
            {
                artifacts.Delete(recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _log.Notice($"could not delete {artifacts.FullName}: {ex.Message}");
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
                response = await _client.SendAsync(HttpMethod.Post, LeaseUri(grant.Role, lease.LeaseId, "heartbeat"), new HeartbeatRequest(), stop, interval + TimeSpan.FromSeconds(10), lease.Trace?.Own);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (CliException ex)
            {
                _log.Notice($"{grant.Role} {grant.TaskId}: heartbeat failed ({ex.Message}); the program keeps running");
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
                _log.Notice($"{grant.Role} {grant.TaskId}: heartbeat refused: {ProblemText.Describe(response, keySent: true)}");
                continue;
            }

            HeartbeatResponse beat;
            try
            {
                beat = response.Read<HeartbeatResponse>();
            }
            catch (CliException ex)
            {
                _log.Notice($"{grant.Role} {grant.TaskId}: {ex.Message}");
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

    /// <summary>Tells the server how the attempt ended (complete, fail or release) and says what became of it.</summary>
    private async Task<AttemptEnd> ReportAsync(LeaseGrant grant, AttemptLease lease, ProcessRunResult run, DirectoryInfo artifacts)
    {
        var program = _settings.Command[0];
        if (lease.Gone)
        {
            return new AttemptEnd(AttemptOutcomes.Dropped, "dropped (lease gone: it expired or the attempt was retried elsewhere; the program was stopped)", Reported: false);
        }

        if (lease.Canceled)
        {
            return await FailAsync(grant, lease, "the task was canceled; the worker stopped the program", permanent: false, AttemptOutcomes.Canceled, "canceled by the server, program stopped");
        }

        if (run.Canceled)
        {
            return await ReleaseAsync(grant, lease, "released at shutdown (the program was stopped after the grace period)", "the worker shut down before the program finished");
        }

        if (_shuttingDown && run.ExitCode is InterruptedExitCode or TerminatedExitCode)
        {
            // Ctrl+C reaches the whole process group: the program died of the same signal that stops the worker.
            var interrupted = string.Create(CultureInfo.InvariantCulture, $"released at shutdown (the program was interrupted, exit code {run.ExitCode})");
            return await ReleaseAsync(grant, lease, interrupted, "the worker shut down before the program finished") with { ExitCode = run.ExitCode };
        }

        if (!run.Started)
        {
            // It was found and executable when the worker started, so something changed under it (deleted, chmod -x, no
            // process slots): every further attempt would fail alike. Stop leasing first, then hand this one back uncounted.
            Stop(new CliException(ExitCode.Error, $"{run.StartError}; the attempt was released (not counted) and the worker stopped"));
            return await ReleaseAsync(grant, lease, "released (the program could not start)", $"the worker could not start its program: {run.StartError}", run.StartError);
        }

        if (run.TimedOut)
        {
            return await FailAsync(grant, lease, ProgramOutput.DescribeTimeout(program, _settings.Timeout ?? TimeSpan.Zero, run), permanent: false, AttemptOutcomes.Failed, "timed out");
        }

        if (run.ExitCode != 0)
        {
            var permanent = _settings.PermanentExitCodes.Contains(run.ExitCode);
            var kind = permanent ? "permanent" : "transient";
            var text = string.Create(CultureInfo.InvariantCulture, $"failed with exit code {run.ExitCode} ({kind})");
            return await FailAsync(grant, lease, ProgramOutput.DescribeExit(program, run), permanent, AttemptOutcomes.Failed, text) with { ExitCode = run.ExitCode };
        }

        var answer = ProgramOutput.Interpret(run, artifacts, _settings.MaxOutputBytes, "the agentq worker");
        var result = answer.Result;
        var outcome = result.Status switch
        {
            AgentResultStatus.NeedsApproval => AttemptOutcomes.NeedsApproval,
            AgentResultStatus.Failed => AttemptOutcomes.Failed,
            _ => AttemptOutcomes.Completed,
        };
        bool? agentPermanent = result.Status == AgentResultStatus.Failed ? result.Permanent : null;
        var (response, gaveUp) = await SendReportAsync(grant, lease, "complete", result with { WorkerSpan = lease.Trace?.Report(_time.GetUtcNow(), result.Status == AgentResultStatus.Failed ? result.Summary ?? "the agent reported a failure" : null) });
        switch (response)
        {
            case null:
                return new AttemptEnd(outcome, "finished but its result could not be reported" + (gaveUp ? GaveUpNote : " (server unreachable; the lease will expire)"), Reported: false, result.Summary, agentPermanent, ExitCode: 0);
            case { Status: HttpStatusCode.Gone }:
                return new AttemptEnd(AttemptOutcomes.Dropped, "finished after its lease was gone; result dropped", Reported: false, ExitCode: 0);
            case { IsSuccess: true }:
                var artifactsNote = result.Artifacts.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $", {result.Artifacts.Count} artifacts") : string.Empty;
                return new AttemptEnd(outcome, $"{Output.Fmt.Of(result.Status)}{artifactsNote}", Reported: true, result.Summary, agentPermanent, ExitCode: 0);
            case { Status: HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnsupportedMediaType }:
                // The result cannot be stored (e.g. an artifact over the limit): say so as a failure, so the task does not wait for a lease to lapse.
                var refused = ProblemText.Describe(response, keySent: true);
                return await FailAsync(grant, lease, $"the server refused the result: {refused}", permanent: false, AttemptOutcomes.Failed, "result refused", refused) with { ExitCode = 0 };
            default:
                return new AttemptEnd(outcome, "finished but the server refused its result", Reported: false, ProblemText.Describe(response, keySent: true), agentPermanent, ExitCode: 0);
        }
    }

    private async Task<AttemptEnd> FailAsync(LeaseGrant grant, AttemptLease lease, string reason, bool permanent, string outcome, string text, string? detail = null)
    {
        var failure = new FailRequest { Reason = reason, Permanent = permanent, WorkerSpan = lease.Trace?.Report(_time.GetUtcNow(), reason) };
        var (response, gaveUp) = await SendReportAsync(grant, lease, "fail", failure);
        var suffix = response switch
        {
            null when gaveUp => GaveUpNote,
            null => " (not reported: server unreachable; the lease will expire)",
            { Status: HttpStatusCode.Gone } => " (lease already gone)",
            { IsSuccess: false } => " (the server refused the report)",
            _ => string.Empty,
        };
        return new AttemptEnd(outcome, text + suffix, response?.IsSuccess == true, detail ?? reason, permanent);
    }

    /// <summary>
    /// Hands the attempt back without counting it; a server without the release route gets a transient failure
    /// with <paramref name="fallbackReason"/> instead.
    /// </summary>
    private async Task<AttemptEnd> ReleaseAsync(LeaseGrant grant, AttemptLease lease, string text, string fallbackReason, string? detail = null)
    {
        var (response, gaveUp) = await SendReportAsync(grant, lease, "release", null);
        if (response is { Status: HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed })
        {
            return await FailAsync(grant, lease, fallbackReason, permanent: false, AttemptOutcomes.Failed, "stopped (reported as a transient failure: the server cannot release)", detail);
        }

        var suffix = response switch
        {
            null when gaveUp => GaveUpNote,
            null => " (not reported: server unreachable; the lease will expire)",
            { Status: HttpStatusCode.Gone } => " (lease already gone)",
            { IsSuccess: false } => " (the server refused the release: " + ProblemText.Describe(response, keySent: true) + ")",
            _ => string.Empty,
        };
        return new AttemptEnd(AttemptOutcomes.Released, text + suffix, response?.IsSuccess == true, detail);
    }

    /// <summary>
    /// POSTs complete, fail or release with the latest lease id; retries while the server is unreachable or answers
    /// 5xx. Response null when it never answered; GaveUp when the shutdown deadline ended the tries.
    /// </summary>
    private async Task<(ApiResponse? Response, bool GaveUp)> SendReportAsync(LeaseGrant grant, AttemptLease lease, string action, object? body)
    {
        var cutoff = _reportCutoff.Token;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                var response = await _client.SendAsync(HttpMethod.Post, LeaseUri(grant.Role, lease.LeaseId, action), body, cutoff, trace: lease.Trace?.Own);
                if (response.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.InsufficientStorage && response.RetryAfter is { } delay)
                {
                    // The server is busy (too many bodies in flight) or its disk is full, and says when to come back: the
                    // result is kept and sent again then, for as long as the lease lasts, without using up the tries.
                    retryAfter = delay < MaxBackoff ? delay : MaxBackoff;
                    attempt--;
                }
                else if ((int)response.Status < 500 || attempt >= ReportAttempts)
                {
                    return (response, false);
                }
            }
            catch (OperationCanceledException) when (cutoff.IsCancellationRequested)
            {
                return (null, true);
            }
            catch (CliException) when (attempt < ReportAttempts)
            {
                // Unreachable for a moment: the result is worth a few more tries.
            }
            catch (CliException)
            {
                return (null, false);
            }

            if (!await DelayAsync(retryAfter ?? Backoff(attempt), cutoff))
            {
                return (null, true);
            }
        }
    }

    /// <summary>Stops leasing and starts the clocks of the grace period and the report deadline (once).</summary>
    private void RequestStop()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
        {
            return;
        }

        _shuttingDown = true;
        _reportCutoff.CancelAfter(_settings.Grace + _settings.ReportSlack);
        _stop.Cancel();
    }

    /// <summary>The worker stops itself: <paramref name="fatal"/> (the first one) becomes its error line and exit code.</summary>
    private void Stop(CliException fatal)
    {
        Interlocked.CompareExchange(ref _fatal, fatal, null);
        RequestStop();
    }

    private async Task DrainAsync(List<Task> running, CancellationTokenSource stopPrograms)
    {
        running.RemoveAll(t => t.IsCompleted);
        _log.Stopping(running.Count, _settings.Grace);
        if (running.Count == 0)
        {
            return;
        }

        var all = Task.WhenAll(running);
        try
        {
            await all.WaitAsync(_settings.Grace, _time);
        }
        catch (TimeoutException)
        {
            _log.Notice("grace period over: stopping the remaining programs");
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
