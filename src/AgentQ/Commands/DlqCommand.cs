using System.CommandLine;
using System.Globalization;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Storage;
using AgentQ.Cli;
using AgentQ.Output;

namespace AgentQ.Commands;

/// <summary><c>agentq dlq list | show ID | replay ID | delete ID</c>: the dead-letter store.</summary>
public static class DlqCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var command = new Command("dlq", "Inspect, replay and delete dead letters (roles that failed for good)");
        command.Subcommands.Add(List(globals, runtime));
        command.Subcommands.Add(Show(globals, runtime));
        command.Subcommands.Add(Replay(globals, runtime));
        command.Subcommands.Add(Delete(globals, runtime));
        return command;
    }

    private static Argument<string> DeadLetterId() => new("ID") { Description = "Dead-letter id (as 'dlq list' shows it)" };

    private static Command List(GlobalOptions globals, CliRuntime runtime)
    {
        var task = new Option<string?>("--task") { Description = "Only dead letters of this task", HelpName = "ID" };
        var role = new Option<string?>("--role") { Description = "Only dead letters of this role", HelpName = "ROLE" };
        var top = new Option<int?>("--top") { Description = "At most this many (server default 50)", HelpName = "N" };
        var continuation = new Option<string?>("--continuation-token") { Description = "Continue a previous listing", HelpName = "TOKEN" };
        var command = new Command("list", "List dead letters") { task, role, top, continuation };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var query = new List<string>();
            if (context.Get(task) is { } taskId)
            {
                query.Add("taskId=" + Uri.EscapeDataString(CommonArguments.RequireTaskId(taskId)));
            }

            if (CommonArguments.OptionalRole(context.Get(role)) is { } r)
            {
                query.Add("role=" + Uri.EscapeDataString(r));
            }

            if (context.Get(top) is { } n)
            {
                query.Add("top=" + (n >= 1 ? n.ToString(CultureInfo.InvariantCulture) : throw CliException.Usage("--top must be at least 1")));
            }

            if (context.Get(continuation) is { Length: > 0 } token)
            {
                query.Add("continuationToken=" + Uri.EscapeDataString(token));
            }

            var response = await context.Client.GetAsync(context.Client.ApiRaw("deadletters" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty)), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
                return ExitCode.Ok;
            }

            var page = response.Read<DeadLetterPage>();
            var rows = page.Items.Select(d => (IReadOnlyList<string>)
            [
                d.Id,
                d.TaskId,
                d.Role,
                Fmt.Number(d.Attempts),
                Fmt.Time(d.DeadLetteredAt),
                d.ReplayedAs ?? string.Empty,
                Fmt.Short(d.Reason, 60),
            ]).ToList();
            context.Output.Table(new TableData(["ID", "TASK", "ROLE", "ATTEMPTS", "AT", "REPLAYED AS", "REASON"], rows));
            if (page.ContinuationToken is { Length: > 0 } next)
            {
                context.Output.Note($"more dead letters: agentq dlq list --continuation-token {next}");
            }

            return ExitCode.Ok;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals, CliRuntime runtime)
    {
        var id = DeadLetterId();
        var command = new Command("show", "Show a dead letter with every failed attempt") { id };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var response = await context.Client.GetAsync(context.Client.Api("deadletters", RequireId(context.Get(id))), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
                return ExitCode.Ok;
            }

            var record = response.Read<DeadLetterRecord>();
            context.Output.Line($"{record.Id}  task {record.TaskId}  role {record.Role}  {Fmt.Number(record.Attempts)} attempts  dead-lettered {Fmt.Time(record.DeadLetteredAt)}");
            context.Output.Line("reason: " + Fmt.Short(record.Reason, 400));
            if (record.ReplayOf is { } of)
            {
                context.Output.Line("replay of: " + of);
            }

            if (record.ReplayedAs is { } replayedAs)
            {
                context.Output.Line($"replayed as: {replayedAs} at {Fmt.Time(record.ReplayedAt)}");
            }

            var rows = record.Failures.Select(f => (IReadOnlyList<string>)
            [
                Fmt.Number(f.Attempt),
                Fmt.Time(f.At),
                Fmt.Of(f.Kind),
                Fmt.Short(f.Message, 100),
            ]).ToList();
            context.Output.Table(new TableData(["ATTEMPT", "AT", "KIND", "MESSAGE"], rows));
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command Replay(GlobalOptions globals, CliRuntime runtime)
    {
        var id = DeadLetterId();
        var command = new Command("replay", "Submit a new task that runs the dead-lettered role again") { id };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var response = await context.Client.PostAsync(context.Client.Api("deadletters", RequireId(context.Get(id)), "replay"), null, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
                return ExitCode.Ok;
            }

            var replay = response.Read<ReplayAccepted>();
            context.Output.Line(replay.TaskId);
            if (replay.Task is { StatusQueryGetUri: { } status })
            {
                context.Output.Line("status: " + status);
            }

            context.Output.Note($"dead letter '{replay.ReplayOf}' replayed as task '{replay.TaskId}'");
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command Delete(GlobalOptions globals, CliRuntime runtime)
    {
        var id = DeadLetterId();
        var command = new Command("delete", "Delete a dead letter") { id };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var deadLetterId = RequireId(context.Get(id));
            await context.Client.SendCheckedAsync(HttpMethod.Delete, context.Client.Api("deadletters", deadLetterId), null, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(new { id = deadLetterId, deleted = true });
            }
            else
            {
                context.Output.Line($"deleted dead letter {deadLetterId}");
            }

            return ExitCode.Ok;
        });
        return command;
    }

    private static string RequireId(string? id) =>
        string.IsNullOrWhiteSpace(id) || id.Contains('/', StringComparison.Ordinal)
            ? throw CliException.Usage($"'{id}' is not a valid dead-letter id")
            : id;
}
