using System.CommandLine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Workflow;
using AgentQ.Cli;
using AgentQ.Output;

namespace AgentQ.Commands;

/// <summary><c>agentq metrics [--prometheus]</c>: GET /api/metrics (JSON, or Prometheus text).</summary>
public static class MetricsCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var prometheus = new Option<bool>("--prometheus") { Description = "Print the Prometheus text exposition instead" };
        var command = new Command("metrics", "Show queue depth, in-flight, retrying and dead-lettered counts, latencies, circuit breaker and the workers a remote role needs (DESIRED) per role, and the workers seen") { prometheus };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            if (context.Get(prometheus))
            {
                if (context.Output.Json)
                {
                    throw CliException.Usage("--prometheus and --json exclude each other");
                }

                var text = await context.Client.GetAsync(context.Client.ApiRaw("metrics?format=prometheus"), cancellationToken);
                context.Output.Out.Write(text.Body.EndsWith('\n') ? text.Body : text.Body + "\n");
                return ExitCode.Ok;
            }

            var response = await context.Client.GetAsync(context.Client.ApiRaw("metrics?format=json"), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
                return ExitCode.Ok;
            }

            Write(context.Output, response.Read<MetricsSnapshot>());
            return ExitCode.Ok;
        });
        return command;
    }

    private static void Write(CliOutput output, MetricsSnapshot metrics)
    {
        var tasks = string.Join("  ", metrics.Tasks.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {Fmt.Number(t.Value)}"));
        output.Line($"engine {metrics.Engine}  at {Fmt.Time(metrics.GeneratedAt)}  completed {Fmt.Number(metrics.Completed)}  failed {Fmt.Number(metrics.Failed)}  dead-lettered {Fmt.Number(metrics.DeadLettered)}");
        output.Line("tasks: " + (tasks.Length > 0 ? tasks : "none"));
        var roles = metrics.Roles.Select(r => (IReadOnlyList<string>)
        [
            r.Role,
            Fmt.Number(r.QueueDepth),
            Fmt.Seconds(r.OldestWaitingSeconds),
            Fmt.Number(r.InFlight),
            Fmt.Number(r.Retrying),
            Fmt.Number(r.DeadLettered),
            Fmt.Number(r.Succeeded),
            Fmt.Number(r.FailedAttempts),
            Fmt.Milliseconds(r.AttemptLatencyMs.P50),
            Fmt.Milliseconds(r.AttemptLatencyMs.P95),
            r.Circuit is { } circuit ? Names.Of(circuit.State) : "-",
            r.DesiredWorkers is { } desired ? Fmt.Number(desired) : "-",
        ]).ToList();
        output.Table(new TableData(["ROLE", "QUEUED", "OLDEST", "IN FLIGHT", "RETRYING", "DEAD", "SUCCEEDED", "FAILED", "P50", "P95", "CIRCUIT", "DESIRED"], roles));
        if (metrics.Workers.Count > 0)
        {
            var workers = metrics.Workers.Select(w => (IReadOnlyList<string>)[w.WorkerId, w.Role, Fmt.Time(w.LastSeenAt)]).ToList();
            output.Table(new TableData(["WORKER", "ROLE", "LAST SEEN"], workers));
        }
    }
}
