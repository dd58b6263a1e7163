using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using AgentFunctions.Core.Contracts;
using AgentQ.Cli;
using AgentQ.Following;
using AgentQ.Submit;

namespace AgentQ.Commands;

/// <summary><c>agentq submit [CONTENT] --to ROLE... | --stage ROLES...</c>: POST /api/tasks, optionally follow it to its end.</summary>
public static class SubmitCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var content = new Argument<string?>("CONTENT")
        {
            Description = "The payload for the agents (text, or JSON with --payload-fmt json); '-' reads stdin. "
                + "Put it before the options or after '--': --to and --stage take every word that follows them",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var to = new Option<string[]>("--to")
        {
            Description = "Roles that run in parallel (space- or comma-separated, repeatable)",
            HelpName = "ROLE",
            AllowMultipleArgumentsPerToken = true,
        };
        var stage = new Option<string[]>("--stage")
        {
            Description = "One stage: its roles run in parallel (space- or comma-separated); repeat --stage for each later stage, "
                + "which sees the earlier results (--stage impl review --stage docs: [[impl, review], [docs]])",
            HelpName = "ROLES",
            AllowMultipleArgumentsPerToken = true,
        };
        var type = new Option<string?>("--type") { Description = "Task type (default: task)", HelpName = "TYPE" };
        var instructions = new Option<string?>("--instructions") { Description = "What the agents should do", HelpName = "TEXT" };
        var file = new Option<string?>("--file") { Description = "Task context (markdown) read from a file; '-' reads stdin", HelpName = "PATH" };
        var payloadFormat = new Option<string?>("--payload-fmt") { Description = "How CONTENT is sent: text (default) or json", HelpName = "FMT" };
        payloadFormat.AcceptOnlyFromAmong("text", "json");
        var priority = new Option<string?>("--priority") { Description = "low, normal (default), high or critical", HelpName = "PRIORITY" };
        priority.AcceptOnlyFromAmong("low", "normal", "high", "critical");
        var ttl = new Option<int?>("--ttl") { Description = "Deadline in seconds; the task expires when it is reached", HelpName = "SECONDS" };
        var requiresApproval = new Option<bool>("--requires-approval") { Description = "Wait for 'agentq approve' before any role runs" };
        var requires = new Option<string[]>("--require")
        {
            Description = "A capability every attempt needs from whoever runs it (repeat or separate with commas, at most 8), e.g. --require database",
            HelpName = "NAME",
        };
        var id = new Option<string?>("--id") { Description = "Task id (idempotent: resubmitting the same spec returns the same task)", HelpName = "ID" };
        var from = new Option<string?>("--from") { Description = "Who asks (shown in the task view)", HelpName = "NAME" };
        var replyTo = new Option<string?>("--reply-to") { Description = "Where the coordinator wants the answer (kept with the task)", HelpName = "ADDRESS" };
        var wait = new Option<bool>("--wait") { Description = "Follow the task until it ends; the exit code says how it ended (with --json: prints the final task view)" };
        var timeout = new Option<double?>("--timeout") { Description = "With --wait: give up after this many seconds (exit 9; the task goes on)", HelpName = "SECONDS" };
        var interval = new Option<double?>("--interval") { Description = "With --wait: seconds between polls (default 1)", HelpName = "SECONDS" };

        var command = new Command("submit", "Submit a task to one or more roles")
        {
            content, to, stage, type, instructions, file, payloadFormat, priority, ttl, requiresApproval, requires, id, from, replyTo, wait, timeout, interval,
        };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var waitTimeout = CommonArguments.Seconds(context.Get(timeout), "--timeout");
            var pollInterval = CommonArguments.Seconds(context.Get(interval), "--interval") ?? TaskWatch.DefaultInterval;
            var waiting = context.Get(wait);
            if (!waiting && (waitTimeout is not null || context.Get(interval) is not null))
            {
                throw CliException.Usage("--timeout and --interval only apply with --wait");
            }

            var spec = SpecBuilder.Build(
                new SubmitArguments
                {
                    Content = context.Get(content),
                    To = context.Get(to) ?? [],
                    Stages = StageGroups(context.ParseResult, stage),
                    Type = context.Get(type),
                    Instructions = context.Get(instructions),
                    File = context.Get(file),
                    PayloadFormat = context.Get(payloadFormat),
                    Priority = context.Get(priority),
                    TtlSeconds = context.Get(ttl),
                    RequiresApproval = context.Get(requiresApproval),
                    Requires = context.Get(requires) ?? [],
                    Id = context.Get(id),
                    From = context.Get(from),
                    ReplyTo = context.Get(replyTo),
                },
                () => context.Environment.StandardInput.ReadToEnd());

            var response = await context.Client.PostAsync(context.Client.Api("tasks"), spec, cancellationToken);
            var payload = response.Read<ManagementPayload>();
            if (response.Status == HttpStatusCode.OK)
            {
                context.Output.Note($"task '{payload.Id}' already exists with this spec; nothing new was submitted");
            }

            if (waiting)
            {
                if (!context.Output.Json)
                {
                    WriteSubmitted(context, payload);
                }

                return await TaskWatch.RunAsync(context, payload.Id, waitTimeout, pollInterval, cancellationToken);
            }

            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
            }
            else
            {
                WriteSubmitted(context, payload);
            }

            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>
    /// The roles of each <c>--stage</c> occurrence, in order: the parser pools the values of a repeated option, so
    /// they are grouped again by the option token each one followed.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<string>> StageGroups(ParseResult parseResult, Option<string[]> stage)
    {
        if (parseResult.GetResult(stage) is not { } result)
        {
            return [];
        }

        var values = new HashSet<Token>(result.Tokens, ReferenceEqualityComparer.Instance);
        var groups = new List<List<string>>();
        foreach (var token in parseResult.Tokens)
        {
            if (token.Type == TokenType.Option && (token.Value == stage.Name || stage.Aliases.Contains(token.Value)))
            {
                groups.Add([]);
            }
            else if (values.Contains(token))
            {
                if (groups.Count == 0)
                {
                    groups.Add([]);
                }

                groups[^1].Add(token.Value);
            }
        }

        return groups;
    }

    /// <summary>The id alone on the first line (easy to capture), then the status URL.</summary>
    private static void WriteSubmitted(CommandContext context, ManagementPayload payload)
    {
        context.Output.Line(payload.Id);
        context.Output.Line("status: " + payload.StatusQueryGetUri);
    }
}
