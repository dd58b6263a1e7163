using System.Globalization;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentQ.Cli;
using AgentQ.Http;
using AgentQ.Output;

namespace AgentQ.Worker;

/// <summary>
/// What the worker tells its operator: by default one line on stderr per attempt, plus start, stop and
/// connection trouble; with <c>--json</c> one <see cref="WorkerEvent"/> per line on stdout instead (and nothing
/// on stderr but the final error line every command has). With a log file (<c>[log]</c> in the worker config) every
/// event is also a line there, whatever goes to the console.
/// </summary>
public sealed class WorkerLog
{
    private readonly Lock _gate = new();
    private readonly CliOutput _output;
    private readonly string _workerId;
    private readonly string _role;
    private readonly TimeProvider _time;
    private readonly RotatingLogFile? _file;

    public WorkerLog(CliOutput output, string workerId, string role, TimeProvider time, RotatingLogFile? file = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(workerId);
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(time);
        _output = output;
        _workerId = workerId;
        _role = role;
        _time = time;
        _file = file;
    }

    public void Started(Uri url, int concurrency, string program)
    {
        ArgumentNullException.ThrowIfNull(url);
        var message = string.Create(CultureInfo.InvariantCulture, $"{_workerId} pulling role '{_role}' from {url} (concurrency {concurrency}); Ctrl+C stops");
        Write(message, () => Event(WorkerEvent.StartedEvent, message) with { Url = url.ToString(), Concurrency = concurrency, Program = program });
        File("INFO", $"{message}; program {program}");
    }

    /// <summary>"review t-1 attempt 2/5 completed in 3.4s: summary".</summary>
    public void Attempt(LeaseGrant grant, AttemptEnd end, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(end);
        var max = grant.MaxAttempts > 0 ? "/" + grant.MaxAttempts.ToString(CultureInfo.InvariantCulture) : string.Empty;
        var seconds = duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var tail = string.IsNullOrWhiteSpace(end.Detail) ? string.Empty : ": " + Fmt.Short(end.Detail, 160);
        var line = string.Create(CultureInfo.InvariantCulture, $"{grant.Role} {grant.TaskId} attempt {grant.Attempt}{max} {end.Text} in {seconds}s{tail}");
        Write(line, () => Event(WorkerEvent.AttemptEvent, end.Text) with
        {
            TaskId = grant.TaskId,
            Attempt = grant.Attempt,
            MaxAttempts = grant.MaxAttempts,
            Outcome = end.Outcome,
            Reported = end.Reported,
            Permanent = end.Permanent,
            ExitCode = end.ExitCode,
            DurationSeconds = Math.Round(duration.TotalSeconds, 3),
            Detail = string.IsNullOrWhiteSpace(end.Detail) ? null : Fmt.Short(end.Detail, 2000),
        });
        File(end.Outcome is AttemptOutcomes.Failed or AttemptOutcomes.Dropped or AttemptOutcomes.Error ? "WARNING" : "INFO", line);
    }

    /// <summary>Trouble the worker rides out (a failed lease request or heartbeat, a leftover directory).</summary>
    public void Notice(string message)
    {
        Write(message, () => Event(WorkerEvent.NoticeEvent, message));
        File("WARNING", message);
    }

    /// <summary>Shutdown began; <paramref name="running"/> attempts get <paramref name="grace"/> to finish.</summary>
    public void Stopping(int running, TimeSpan grace)
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"stopping: waiting up to {grace.TotalSeconds:0.#}s for {running} running attempt(s)");
        // People only need the line when there is something to wait for; scripts get the event either way.
        Write(running > 0 ? message : null, () => Event(WorkerEvent.StoppingEvent, message) with { Running = running, GraceSeconds = grace.TotalSeconds });
        File("INFO", message);
    }

    /// <summary>The last event. After an error the line on stderr is the error itself (written by the caller), not "stopped".</summary>
    public void Stopped(CliException? error)
    {
        Write(error is null ? "stopped" : null, () => Event(WorkerEvent.StoppedEvent, error is null ? "stopped" : null) with
        {
            Error = error?.Message,
            ExitCode = (int)(error?.ExitCode ?? Cli.ExitCode.Ok),
        });
        File(error is null ? "INFO" : "ERROR", error is null ? "stopped" : "stopped: " + error.Message);
    }

    /// <summary>The event as a line of the log file, if there is one.</summary>
    private void File(string level, string message)
    {
        try
        {
            _file?.Write(_time.GetUtcNow(), level, $"{_workerId} {_role}: {message}");
        }
        catch (IOException ex)
        {
            // A full disk must not stop the work; the console still has every event.
            _output.Err.WriteLine($"agentq worker: cannot write the log file: {ex.Message}");
        }
    }

    private WorkerEvent Event(string name, string? message) => new()
    {
        Event = name,
        Time = _time.GetUtcNow(),
        WorkerId = _workerId,
        Role = _role,
        Message = message,
    };

    /// <summary>A human line on stderr (null: none), or the event as one JSON line on stdout with --json.</summary>
    private void Write(string? line, Func<WorkerEvent> workerEvent)
    {
        lock (_gate)
        {
            if (_output.Json)
            {
                _output.Out.WriteLine(JsonSerializer.Serialize(workerEvent(), CliJson.Requests));
                _output.Out.Flush();
            }
            else if (line is not null)
            {
                _output.Err.WriteLine($"agentq worker {_time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} {line}");
                _output.Err.Flush();
            }
        }
    }
}
