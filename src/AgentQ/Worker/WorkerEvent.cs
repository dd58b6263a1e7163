namespace AgentQ.Worker;

/// <summary>
/// One line of <c>agentq worker run --json</c> on stdout. Every event has <c>event</c>, <c>time</c>,
/// <c>workerId</c> and <c>role</c>; the other fields belong to the events named in their comments (absent
/// fields are left out). Events: <c>started</c>, <c>attempt</c> (one per leased attempt, when it ends),
/// <c>notice</c> (trouble the worker rides out), <c>stopping</c> and <c>stopped</c> (always the last line).
/// </summary>
public sealed record WorkerEvent
{
    public const string StartedEvent = "started";
    public const string AttemptEvent = "attempt";
    public const string NoticeEvent = "notice";
    public const string StoppingEvent = "stopping";
    public const string StoppedEvent = "stopped";

    public required string Event { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string WorkerId { get; init; }

    public required string Role { get; init; }

    /// <summary>What the human log line says (every event but <c>stopped</c> after an error, which has <see cref="Error"/>).</summary>
    public string? Message { get; init; }

    /// <summary>started: the server's base URL.</summary>
    public string? Url { get; init; }

    /// <summary>started: attempts run at once.</summary>
    public int? Concurrency { get; init; }

    /// <summary>started: the program that runs each attempt (its resolved path).</summary>
    public string? Program { get; init; }

    /// <summary>attempt: the task.</summary>
    public string? TaskId { get; init; }

    /// <summary>attempt: the attempt number (a released attempt keeps its number when it is offered again).</summary>
    public int? Attempt { get; init; }

    /// <summary>attempt: the role's attempt cap (0 when the server did not say).</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>attempt: one of <see cref="AttemptOutcomes"/>.</summary>
    public string? Outcome { get; init; }

    /// <summary>attempt: the server accepted the report (false: unreachable, refused, lease gone, or nothing to report).</summary>
    public bool? Reported { get; init; }

    /// <summary>attempt, outcome failed: the failure was reported as permanent (dead-lettered at once).</summary>
    public bool? Permanent { get; init; }

    /// <summary>attempt: the program's exit code when it ended by itself; stopped: agentq's own exit code.</summary>
    public int? ExitCode { get; init; }

    /// <summary>attempt: seconds from the lease to the program's end (the report is not included).</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>attempt: the summary, failure reason or refusal behind the outcome.</summary>
    public string? Detail { get; init; }

    /// <summary>stopping: attempts still running.</summary>
    public int? Running { get; init; }

    /// <summary>stopping: how long they may still run.</summary>
    public double? GraceSeconds { get; init; }

    /// <summary>stopped: why the worker stopped on its own (null after SIGINT/SIGTERM).</summary>
    public string? Error { get; init; }
}
