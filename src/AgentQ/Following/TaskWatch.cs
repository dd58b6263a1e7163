using System.Globalization;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentQ.Cli;
using AgentQ.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AgentQ.Following;

/// <summary>
/// Follows a task to its end for <c>watch</c> and <c>submit --wait</c>: a live table on a terminal, a line
/// per change when redirected, only the final view with <c>--json</c>. The exit code says how it ended.
/// </summary>
public static class TaskWatch
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    public static async Task<ExitCode> RunAsync(CommandContext context, string id, TimeSpan? timeout, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var output = context.Output;
        var time = context.Environment.Time;
        var follower = new TaskFollower(context.Client, time);
        FollowResult result;
        if (output.Fancy)
        {
            result = await FollowLiveAsync(output, follower, id, timeout, interval, cancellationToken);
        }
        else if (!output.Json)
        {
            var changes = new TaskChanges();
            result = await follower.FollowAsync(
                id,
                timeout,
                interval,
                view =>
                {
                    foreach (var line in changes.Next(view, time.GetUtcNow()))
                    {
                        output.Line(line);
                    }

                    return Task.CompletedTask;
                },
                cancellationToken);
        }
        else
        {
            result = await follower.FollowAsync(id, timeout, interval, null, cancellationToken);
        }

        return Finish(output, result, timeout);
    }

    private static async Task<FollowResult> FollowLiveAsync(CliOutput output, TaskFollower follower, string id, TimeSpan? timeout, TimeSpan interval, CancellationToken cancellationToken)
    {
        FollowResult? result = null;
        await output.Console.Live(new Text($"following {id} ..."))
            .AutoClear(false)
            .StartAsync(async live =>
            {
                result = await follower.FollowAsync(
                    id,
                    timeout,
                    interval,
                    view =>
                    {
                        live.UpdateTarget(Render(view));
                        live.Refresh();
                        return Task.CompletedTask;
                    },
                    cancellationToken);
            });
        return result!;
    }

    private static Rows Render(TaskView view)
    {
        var parts = new List<IRenderable> { new Markup($"[bold]{Markup.Escape(TaskViewText.Header(view))}[/]"), CliOutput.ToSpectre(TaskViewText.Roles(view)) };
        parts.AddRange(TaskViewText.Approvals(view).Select(line => new Markup($"[yellow]{Markup.Escape(line)}[/]")));
        return new Rows(parts);
    }

    private static ExitCode Finish(CliOutput output, FollowResult result, TimeSpan? timeout)
    {
        var view = result.View;
        if (output.Json)
        {
            output.WriteRawJson(result.Json);
        }
        else if (!output.Fancy)
        {
            TaskViewText.Write(output, view);
        }
        else if (TaskViewText.Outcome(view) is { } outcome)
        {
            output.Line("outcome: " + outcome);
        }

        if (result.TimedOut)
        {
            var seconds = (timeout ?? TimeSpan.Zero).TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
            output.Error($"timed out after {seconds} s waiting for task '{view.Id}' ({Fmt.Of(view.State)}); it goes on: agentq watch {view.Id}");
            return ExitCode.WaitTimedOut;
        }

        if (view.State == AgentTaskStatus.Completed && !output.Json)
        {
            output.Line($"result: agentq result {view.Id} [--role ROLE] [--out DIR]");
        }

        var code = ExitCodes.ForTaskState(view.State);
        if (code != ExitCode.Ok)
        {
            output.Error($"task '{view.Id}' ended {Fmt.Of(view.State)}: {Fmt.Short(view.Outcome?.Reason, 200)}");
        }

        return code;
    }
}
