namespace AgentQ.Cli;

/// <summary>
/// The documented exit codes of agentq. Scripts and agents branch on these, so the numbers never change;
/// <see cref="ExitCodes.Describe"/> renders them for <c>agentq --help</c>.
/// </summary>
public enum ExitCode
{
    /// <summary>The command succeeded; a followed task completed.</summary>
    Ok = 0,

    /// <summary>Anything not covered below (a 5xx from the server, an interrupted command, a local I/O error).</summary>
    Error = 1,

    /// <summary>Bad arguments or options: nothing was sent to the server.</summary>
    Usage = 2,

    /// <summary>The server answered 404: no such task, dead letter, artifact or role.</summary>
    NotFound = 3,

    /// <summary>The server answered 409 or 410: the task is not in a state that allows this, or the lease is gone.</summary>
    Conflict = 4,

    /// <summary>The followed task ended failed (a role was dead-lettered).</summary>
    TaskFailed = 5,

    /// <summary>The followed task ended rejected.</summary>
    TaskRejected = 6,

    /// <summary>The followed task ended canceled.</summary>
    TaskCanceled = 7,

    /// <summary>The followed task ended expired (its ttl or an approval wait ran out).</summary>
    TaskExpired = 8,

    /// <summary>--wait/--timeout ran out before the task ended; the task goes on.</summary>
    WaitTimedOut = 9,

    /// <summary>The server could not be reached (connection refused, DNS, TLS, no answer in time).</summary>
    Unreachable = 10,

    /// <summary>The server answered 401 or 403: a missing, wrong or under-scoped key.</summary>
    Unauthorized = 11,

    /// <summary>The server answered 400, 413 or 415: it refused the request as invalid.</summary>
    BadRequest = 12,
}
