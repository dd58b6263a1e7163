using System.CommandLine;
using System.Net;
using AgentFunctions.Core.Status;
using AgentQ.Cli;
using AgentQ.Output;
using AgentQ.Results;

namespace AgentQ.Commands;

/// <summary>
/// <c>agentq result ID [--role R] [--out DIR]</c>: GET /api/tasks/{id}/result (409 while the task runs).
/// Without --out it prints the result (or, with --role, that role's markdown); with --out it downloads
/// result.json and every artifact (only the role's with --role) into DIR. <c>--role</c> alone also works before
/// the task ends, for a role that already has a result (e.g. a draft waiting for approval).
/// </summary>
public static class ResultCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var id = CommonArguments.TaskId();
        var role = new Option<string?>("--role") { Description = "Only this role: print its result markdown (also before the task ends, e.g. a draft awaiting approval), or download only its files", HelpName = "ROLE" };
        var output = new Option<string?>("--out") { Description = "Download result.json and the artifacts into this directory", HelpName = "DIR" };
        var command = new Command("result", "Show or download the result of a finished task") { id, role, output };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var taskId = CommonArguments.RequireTaskId(context.Get(id));
            var roleName = CommonArguments.OptionalRole(context.Get(role));
            var client = context.Client;
            var response = await client.SendAsync(HttpMethod.Get, client.Api("tasks", taskId, "result"), null, cancellationToken);
            if (response.Status == HttpStatusCode.Conflict && roleName is not null && context.Get(output) is null)
            {
                // The task has not ended, but a role may already have a result to read (a draft waiting for approval).
                return await WriteUnfinishedRoleAsync(context, taskId, roleName, cancellationToken);
            }

            client.EnsureSuccess(response);
            var document = response.Read<TaskResultDocument>();
            var roleResult = roleName is null ? null : document.Roles.FirstOrDefault(r => r.Role == roleName)
                ?? throw new CliException(ExitCode.NotFound, $"task '{taskId}' has no role '{roleName}' (roles: {string.Join(", ", document.Roles.Select(r => r.Role))})");

            if (context.Get(output) is { } directory)
            {
                var files = await new ResultDownloader(client).DownloadAsync(taskId, response.Body, roleName, directory, cancellationToken);
                if (context.Output.Json)
                {
                    context.Output.WriteJson(new DownloadSummary(taskId, roleName, Fmt.Of(document.State), Path.GetFullPath(directory), files));
                }
                else
                {
                    foreach (var file in files)
                    {
                        context.Output.Line($"{Path.Combine(directory, file.Path)}  ({Fmt.Number(file.Length)} bytes)");
                    }
                }

                return ExitCode.Ok;
            }

            if (roleResult is not null)
            {
                return await WriteRoleAsync(context, taskId, roleResult, cancellationToken);
            }

            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
            }
            else
            {
                WriteDocument(context.Output, document);
            }

            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>A role of a task that has not ended: its result so far, from the task view.</summary>
    private static async Task<ExitCode> WriteUnfinishedRoleAsync(CommandContext context, string taskId, string roleName, CancellationToken cancellationToken)
    {
        var view = (await context.Client.GetAsync(context.Client.Api("tasks", taskId), cancellationToken)).Read<TaskView>();
        var role = view.Roles.FirstOrDefault(r => r.Role == roleName)
            ?? throw new CliException(ExitCode.NotFound, $"task '{taskId}' has no role '{roleName}' (roles: {string.Join(", ", view.Roles.Select(r => r.Role))})");
        if (role.ResultRef is null)
        {
            throw new CliException(ExitCode.Conflict, $"role '{roleName}' of task '{taskId}' has no result yet ({Fmt.Of(role.State)}); wait for it: agentq watch {taskId}");
        }

        var partial = new RoleResultView
        {
            Role = role.Role,
            Stage = role.Stage,
            State = role.State,
            Attempts = role.Attempt,
            Summary = role.Summary,
            ResultRef = role.ResultRef,
            Artifacts = role.Artifacts,
            DeadLetterId = role.DeadLetterId,
            LastError = role.LastError,
            Usage = role.Usage,
        };
        return await WriteRoleAsync(context, taskId, partial, cancellationToken);
    }

    /// <summary>Prints a role's result markdown (or, with --json, the role's part of the result and the markdown).</summary>
    private static async Task<ExitCode> WriteRoleAsync(CommandContext context, string taskId, RoleResultView role, CancellationToken cancellationToken)
    {
        var markdown = await ReadMarkdownAsync(context, taskId, role, cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(new RoleResultOutput(taskId, role, markdown));
        }
        else if (markdown is null)
        {
            throw new CliException(ExitCode.NotFound, $"role '{role.Role}' of task '{taskId}' has no result ({Fmt.Of(role.State)}{(role.LastError is { } e ? ": " + Fmt.Short(e, 200) : string.Empty)})");
        }
        else
        {
            context.Output.Out.Write(markdown.EndsWith('\n') ? markdown : markdown + "\n");
        }

        return ExitCode.Ok;
    }

    /// <summary>The role's result markdown (<c>results/&lt;role&gt;.md</c>), or null when it produced none.</summary>
    private static async Task<string?> ReadMarkdownAsync(CommandContext context, string taskId, RoleResultView role, CancellationToken cancellationToken)
    {
        if (role.ResultRef is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await context.Client.DownloadAsync(context.Client.ApiRaw($"tasks/{Uri.EscapeDataString(taskId)}/artifacts/results/{Uri.EscapeDataString(role.Role)}.md"), buffer, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteDocument(CliOutput output, TaskResultDocument document)
    {
        var by = document.Outcome.By is { Length: > 0 } who ? $" by {who}" : string.Empty;
        output.Line($"{document.Id}  {Fmt.Of(document.State)}{by}  finished {Fmt.Time(document.FinishedAt)}: {Fmt.Short(document.Outcome.Reason, 200)}");
        var rows = document.Roles.Select(r => (IReadOnlyList<string>)
        [
            r.Role,
            Fmt.Of(r.State),
            Fmt.Number(r.Attempts),
            Fmt.Short(r.Summary ?? r.LastError, 60),
            r.ResultRef ?? string.Empty,
            Fmt.Number(r.Artifacts.Count),
        ]).ToList();
        output.Table(new TableData(["ROLE", "STATE", "ATTEMPTS", "SUMMARY", "RESULT", "ARTIFACTS"], rows));
        if (document.Usage is { } usage)
        {
            output.Line($"usage: {Fmt.Number(usage.InputTokens)} input tokens, {Fmt.Number(usage.OutputTokens)} output tokens, ${usage.CostUsd.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        output.Line($"files: agentq result {document.Id} --out DIR   markdown: agentq result {document.Id} --role ROLE");
    }
}
