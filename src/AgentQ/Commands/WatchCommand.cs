using System.CommandLine;
using AgentQ.Cli;
using AgentQ.Following;

namespace AgentQ.Commands;

/// <summary><c>agentq watch ID</c>: follow a task until it ends; the exit code says how it ended.</summary>
public static class WatchCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var id = CommonArguments.TaskId();
        var timeout = new Option<double?>("--timeout") { Description = "Give up after this many seconds (exit 9; the task goes on)", HelpName = "SECONDS" };
        var interval = new Option<double?>("--interval") { Description = "Seconds between polls (default 1)", HelpName = "SECONDS" };
        var command = new Command("watch", "Follow a task live until it ends (exit code: 0 completed, 5 failed, 6 rejected, 7 canceled, 8 expired, 9 timed out)")
        {
            id, timeout, interval,
        };
        CommandActions.Set(command, globals, runtime, (context, cancellationToken) =>
        {
            var taskId = CommonArguments.RequireTaskId(context.Get(id));
            var waitTimeout = CommonArguments.Seconds(context.Get(timeout), "--timeout");
            var pollInterval = CommonArguments.Seconds(context.Get(interval), "--interval") ?? TaskWatch.DefaultInterval;
            return TaskWatch.RunAsync(context, taskId, waitTimeout, pollInterval, cancellationToken);
        });
        return command;
    }
}
