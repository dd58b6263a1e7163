using System.CommandLine;
using AgentFunctions.Core.Contracts;
using AgentQ.Cli;

namespace AgentQ.Commands;

/// <summary><c>approve</c>, <c>reject</c> and <c>cancel</c>: POST /api/tasks/{id}/approve|reject|cancel with <c>{ by, note|reason, role? }</c>.</summary>
public static class DecisionCommands
{
    public static Command Approve(GlobalOptions globals, CliRuntime runtime)
    {
        var id = CommonArguments.TaskId();
        var role = new Option<string?>("--role") { Description = "Approve this role's gate (default: the task's gate)", HelpName = "ROLE" };
        var note = new Option<string?>("--note") { Description = "A note kept with the decision", HelpName = "TEXT" };
        var by = By();
        var command = new Command("approve", "Approve a task (or one role) waiting for approval") { id, role, note, by };
        CommandActions.Set(command, globals, runtime, (context, cancellationToken) =>
        {
            var request = new DecisionRequest
            {
                By = context.Get(by) ?? context.DefaultActor(),
                Note = context.Get(note),
                Role = CommonArguments.OptionalRole(context.Get(role)),
            };
            return SendAsync(context, context.Get(id), "approve", "approved", request, cancellationToken);
        });
        return command;
    }

    public static Command Reject(GlobalOptions globals, CliRuntime runtime)
    {
        var id = CommonArguments.TaskId();
        var reason = new Option<string>("--reason") { Description = "Why (kept with the decision)", HelpName = "TEXT", Required = true };
        var role = new Option<string?>("--role") { Description = "Reject this role's gate (default: the task's gate)", HelpName = "ROLE" };
        var by = By();
        var command = new Command("reject", "Reject a task (or one role) waiting for approval") { id, reason, role, by };
        CommandActions.Set(command, globals, runtime, (context, cancellationToken) =>
        {
            var request = new DecisionRequest
            {
                By = context.Get(by) ?? context.DefaultActor(),
                Reason = RequireText(context.Get(reason), "--reason"),
                Role = CommonArguments.OptionalRole(context.Get(role)),
            };
            return SendAsync(context, context.Get(id), "reject", "rejected", request, cancellationToken);
        });
        return command;
    }

    public static Command Cancel(GlobalOptions globals, CliRuntime runtime)
    {
        var id = CommonArguments.TaskId();
        var reason = new Option<string>("--reason") { Description = "Why (shown in the task's outcome)", HelpName = "TEXT", Required = true };
        var by = By();
        var command = new Command("cancel", "Cancel a task that has not ended (running workers learn it on their next heartbeat)") { id, reason, by };
        CommandActions.Set(command, globals, runtime, (context, cancellationToken) =>
        {
            var request = new DecisionRequest { By = context.Get(by) ?? context.DefaultActor(), Reason = RequireText(context.Get(reason), "--reason") };
            return SendAsync(context, context.Get(id), "cancel", "cancel requested for", request, cancellationToken);
        });
        return command;
    }

    private static Option<string?> By() =>
        new("--by") { Description = "Who decides [default: env AGENTQ_BY, else the login name]", HelpName = "NAME" };

    private static string RequireText(string? text, string flag) =>
        string.IsNullOrWhiteSpace(text) ? throw CliException.Usage($"{flag} must not be empty") : text;

    private static async Task<ExitCode> SendAsync(CommandContext context, string? id, string action, string done, DecisionRequest request, CancellationToken cancellationToken)
    {
        var taskId = CommonArguments.RequireTaskId(id);
        var response = await context.Client.PostAsync(context.Client.Api("tasks", taskId, action), request, cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteRawJson(response.Body);
        }
        else
        {
            var role = request.Role is null ? string.Empty : $" (role {request.Role})";
            context.Output.Line($"{done} {taskId}{role}");
        }

        return ExitCode.Ok;
    }
}
