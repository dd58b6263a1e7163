using System.CommandLine;
using System.Net;
using AgentFunctions.Core.Contracts;
using AgentQ.Cli;
using AgentQ.Output;

namespace AgentQ.Commands;

/// <summary><c>agentq health</c>: GET /api/health; exit 0 when healthy, 1 when the server reports itself unhealthy (503).</summary>
public static class HealthCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var command = new Command("health", "Check that the server is up and healthy");
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var response = await context.Client.SendAsync(HttpMethod.Get, context.Client.Api("health"), null, cancellationToken);
            // 503 still carries the report: show it, then fail.
            if (!response.IsSuccess && response.Status != HttpStatusCode.ServiceUnavailable)
            {
                context.Client.EnsureSuccess(response);
            }

            var report = response.Read<HealthReport>();
            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
            }
            else
            {
                context.Output.Line($"{report.Status}  engine {report.Engine}  version {report.Version}  at {context.Client.Root}  checked {Fmt.Time(report.CheckedAt)}");
                if (report.Checks.Count > 0)
                {
                    context.Output.Table(new TableData(["CHECK", "RESULT"], report.Checks.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (IReadOnlyList<string>)[c.Key, c.Value]).ToList()));
                }
            }

            if (response.IsSuccess)
            {
                return ExitCode.Ok;
            }

            context.Output.Error($"the server reports itself {report.Status}");
            return ExitCode.Error;
        });
        return command;
    }
}
