using System.CommandLine;
using System.Globalization;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentQ.Cli;
using AgentQ.Output;

namespace AgentQ.Commands;

/// <summary><c>agentq list [--state S] [--role R] [--top N]</c>: GET /api/tasks, newest first.</summary>
public static class ListCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var state = new Option<string?>("--state") { Description = "Only tasks in this state", HelpName = "STATE" };
        state.AcceptOnlyFromAmong(Enum.GetValues<AgentTaskStatus>().Select(Names.Of).ToArray());
        var role = new Option<string?>("--role") { Description = "Only tasks with this role", HelpName = "ROLE" };
        var top = new Option<int?>("--top") { Description = "At most this many tasks (server default 50, max 1000)", HelpName = "N" };
        var continuation = new Option<string?>("--continuation-token") { Description = "Continue a previous listing", HelpName = "TOKEN" };
        var command = new Command("list", "List tasks, newest first") { state, role, top, continuation };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var query = new List<string>();
            if (context.Get(state) is { } s)
            {
                query.Add("state=" + Uri.EscapeDataString(s));
            }

            if (CommonArguments.OptionalRole(context.Get(role)) is { } r)
            {
                query.Add("role=" + Uri.EscapeDataString(r));
            }

            if (context.Get(top) is { } n)
            {
                if (n < 1)
                {
                    throw CliException.Usage("--top must be at least 1");
                }

                query.Add("top=" + n.ToString(CultureInfo.InvariantCulture));
            }

            if (context.Get(continuation) is { Length: > 0 } token)
            {
                query.Add("continuationToken=" + Uri.EscapeDataString(token));
            }

            var uri = context.Client.ApiRaw("tasks" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty));
            var response = await context.Client.GetAsync(uri, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
                return ExitCode.Ok;
            }

            var page = response.Read<Page<TaskView>>();
            var rows = page.Items.Select(t => (IReadOnlyList<string>)
            [
                t.Id,
                Fmt.Of(t.State),
                t.Type,
                string.Join(", ", t.Roles.Select(x => $"{x.Role}:{Fmt.Of(x.State)}")),
                Fmt.Time(t.CreatedAt),
                Fmt.Time(t.UpdatedAt),
            ]).ToList();
            context.Output.Table(new TableData(["ID", "STATE", "TYPE", "ROLES", "CREATED", "UPDATED"], rows));
            if (page.ContinuationToken is { Length: > 0 } next)
            {
                context.Output.Note($"more tasks: agentq list --continuation-token {next}");
            }

            return ExitCode.Ok;
        });
        return command;
    }
}
