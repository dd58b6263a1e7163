using System.Net;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentQ.Cli;
using AgentQ.Http;
using AgentQ.Output;

namespace AgentQ.Agent;

/// <summary>
/// Why the server answered 410 for a held lease, in words an agent can act on: the task ended (and how), or the lease
/// expired (and what became of the attempt). Always exit 4; the task's view tells which.
/// </summary>
public static class LeaseGone
{
    public static async Task<CliException> ExplainAsync(AgentQClient client, HeldLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(lease);
        var prefix = $"the lease on task '{lease.TaskId}' (role {lease.Role}, attempt {lease.Attempt}) is gone: ";
        ApiResponse response;
        try
        {
            response = await client.SendAsync(HttpMethod.Get, client.Api("tasks", lease.TaskId), null, cancellationToken);
        }
        catch (CliException)
        {
            return new CliException(ExitCode.Conflict, prefix + $"it expired at {Fmt.Time(lease.LeaseExpiresAt)} or the task ended (the task could not be read to say which)");
        }

        if (response.Status == HttpStatusCode.NotFound)
        {
            return new CliException(ExitCode.Conflict, prefix + "the task ended and no longer exists");
        }

        TaskView view;
        try
        {
            client.EnsureSuccess(response);
            view = response.Read<TaskView>();
        }
        catch (CliException ex)
        {
            return new CliException(ExitCode.Conflict, prefix + $"it expired or the task ended ({ex.Message})");
        }

        return new CliException(ExitCode.Conflict, prefix + Reason(view, lease));
    }

    private static string Reason(TaskView view, HeldLease lease)
    {
        if (view.State.IsTerminal())
        {
            var by = view.Outcome?.By is { Length: > 0 } who ? $" by {who}" : string.Empty;
            var why = view.Outcome?.Reason is { Length: > 0 } reason ? ": " + Fmt.Short(reason, 160) : string.Empty;
            return $"the task ended: it is {Fmt.Of(view.State)}{by}{why}. Stop working on it.";
        }

        var role = view.Roles.FirstOrDefault(r => r.Role == lease.Role);
        if (role is null)
        {
            return $"the lease expired at {Fmt.Time(lease.LeaseExpiresAt)}";
        }

        if (role.State.IsTerminal() && role.Attempt == lease.Attempt)
        {
            return $"role {lease.Role} of the task ended: it is {Fmt.Of(role.State)}. Stop working on it.";
        }

        var now = role.Attempt > lease.Attempt
            ? $"; the attempt was counted as failed and the role is at attempt {role.Attempt} ({Fmt.Of(role.State)})"
            : $"; the role is {Fmt.Of(role.State)}";
        return $"the lease expired at {Fmt.Time(lease.LeaseExpiresAt)} without a heartbeat{now}. Take it again to go on: agentq take --role {lease.Role} --task {lease.TaskId}";
    }
}
