using System.Globalization;
using System.Net;
using AgentFunctions.Core.Workflow;

namespace AgentQ.Cli;

/// <summary>Mappings onto <see cref="ExitCode"/> and the table shown in <c>agentq --help</c>.</summary>
public static class ExitCodes
{
    /// <summary>One line per code, as in the help epilog and the README.</summary>
    public static IReadOnlyList<(ExitCode Code, string Meaning)> Table { get; } =
    [
        (ExitCode.Ok, "ok; a followed task completed"),
        (ExitCode.Error, "general error (server error, interrupted, local I/O)"),
        (ExitCode.Usage, "usage error: bad arguments, nothing was sent"),
        (ExitCode.NotFound, "not found (404); no lease held for that task and role (take it first: agentq take)"),
        (ExitCode.Conflict, "conflict (409) or gone (410); the lease expired or the task ended (the message says which)"),
        (ExitCode.TaskFailed, "task failed / dead-lettered"),
        (ExitCode.TaskRejected, "task rejected"),
        (ExitCode.TaskCanceled, "task canceled (a followed task; agentq heartbeat: stop working on it)"),
        (ExitCode.TaskExpired, "task expired"),
        (ExitCode.WaitTimedOut, "timed out waiting (--wait --timeout / watch --timeout); agentq take: nothing to take"),
        (ExitCode.Unreachable, "server unreachable"),
        (ExitCode.Unauthorized, "unauthorized or forbidden (401/403)"),
        (ExitCode.BadRequest, "bad request / validation (400/413/415/422)"),
    ];

    /// <summary>The exit-code section of the help text.</summary>
    public static string Describe()
    {
        var lines = Table.Select(row => string.Create(CultureInfo.InvariantCulture, $"  {(int)row.Code,2}  {row.Meaning}"));
        return "Exit codes:" + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }

    /// <summary>How an HTTP error status is reported.</summary>
    public static ExitCode ForHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 or 413 or 415 or 422 => ExitCode.BadRequest,
        401 or 403 => ExitCode.Unauthorized,
        404 => ExitCode.NotFound,
        409 or 410 => ExitCode.Conflict,
        _ => ExitCode.Error,
    };

    /// <summary>How a followed task ended; <see cref="ExitCode.Ok"/> also for a task that is still going.</summary>
    public static ExitCode ForTaskState(AgentTaskStatus state) => state switch
    {
        AgentTaskStatus.Failed => ExitCode.TaskFailed,
        AgentTaskStatus.Rejected => ExitCode.TaskRejected,
        AgentTaskStatus.Canceled => ExitCode.TaskCanceled,
        AgentTaskStatus.Expired => ExitCode.TaskExpired,
        _ => ExitCode.Ok,
    };
}
