using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentQ.Cli;
using AgentQ.Http;

namespace AgentQ.Following;

/// <summary>
/// Polls <c>GET /api/tasks/{id}</c> until the task ends or the wait runs out. A server that drops out for
/// a moment (a restart) is retried a few times before the follow gives up.
/// </summary>
public sealed class TaskFollower(AgentQClient client, TimeProvider time)
{
    /// <summary>Consecutive failed polls tolerated once the task has been seen.</summary>
    public const int MaxConsecutiveFailures = 5;

    public async Task<FollowResult> FollowAsync(string id, TimeSpan? timeout, TimeSpan interval, Func<TaskView, Task>? onUpdate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var started = time.GetTimestamp();
        var uri = client.Api("tasks", id);
        FollowResult? last = null;
        var failures = 0;
        while (true)
        {
            try
            {
                var response = await client.GetAsync(uri, cancellationToken);
                var view = response.Read<TaskView>();
                last = new FollowResult(view, response.Body, TimedOut: false);
                failures = 0;
                if (onUpdate is not null)
                {
                    await onUpdate(view);
                }

                if (view.State.IsTerminal())
                {
                    return last;
                }
            }
            catch (CliException ex) when (last is not null && ex.ExitCode == ExitCode.Unreachable && ++failures < MaxConsecutiveFailures)
            {
                // Keep following through a short outage; the task lives on the server.
            }

            var remaining = timeout is { } limit ? limit - time.GetElapsedTime(started) : (TimeSpan?)null;
            if (remaining is { } left && left <= TimeSpan.Zero)
            {
                return last! with { TimedOut = true };
            }

            var delay = remaining is { } r && r < interval ? r : interval;
            await Task.Delay(delay, time, cancellationToken);
        }
    }
}
