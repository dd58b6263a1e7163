using System.CommandLine;
using System.Net;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentQ.Cli;
using AgentQ.Http;
using AgentQ.Output;

namespace AgentQ.Commands;

/// <summary>
/// <c>agentq health</c>: GET /api/health, with the reasons of a degraded or unhealthy server (alerts, an open circuit
/// breaker, storage down); exit 0 when healthy or degraded (the server still serves), 1 when it reports itself unhealthy (503).
/// </summary>
public static class HealthCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var command = new Command("health", "Check that the server is up and healthy");
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var response = await context.Client.SendAsync(HttpMethod.Get, context.Client.Api("health"), null, cancellationToken);
            // The server's 503 still carries its report: show it, then fail. A 503 from something in front of it (a
            // gateway's HTML page, a problem+json) is an ordinary error answer.
            var report = response.Status == HttpStatusCode.ServiceUnavailable ? AsReport(response) : null;
            if (report is null)
            {
                try
                {
                    context.Client.EnsureSuccess(response);
                }
                catch (CliException ex) when (response.Status == HttpStatusCode.NotFound)
                {
                    // Every AgentFunctions server answers /api/health: a 404 means the URL points somewhere else.
                    throw new CliException(ex.ExitCode, $"{ex.Message} (is this an AgentFunctions server? {context.Client.Root} has no /api/health)");
                }

                report = response.Read<HealthReport>();
            }

            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
            }
            else
            {
                context.Output.Line($"{report.Status}  engine {report.Engine}  version {report.Version}  at {context.Client.Root}  checked {Fmt.Time(report.CheckedAt)}");
                foreach (var reason in report.Reasons ?? [])
                {
                    context.Output.Line("  - " + reason);
                }

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

    /// <summary>The body as a health report, or null when it is something else.</summary>
    private static HealthReport? AsReport(ApiResponse response)
    {
        if (response.ContentType is not { } type || !type.EndsWith("json", StringComparison.OrdinalIgnoreCase) || type.Contains("problem", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var report = JsonSerializer.Deserialize<HealthReport>(response.Body, CliJson.Responses);
            return report is { Status.Length: > 0, Engine.Length: > 0, Checks: not null } ? report : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
