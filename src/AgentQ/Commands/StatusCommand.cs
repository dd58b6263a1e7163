using System.CommandLine;
using AgentFunctions.Core.Status;
using AgentQ.Cli;
using AgentQ.Following;

namespace AgentQ.Commands;

/// <summary><c>agentq status ID</c>: GET /api/tasks/{id}.</summary>
public static class StatusCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var id = CommonArguments.TaskId();
        var command = new Command("status", "Show a task: its state, each role's state, attempts and pending approvals") { id };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var taskId = CommonArguments.RequireTaskId(context.Get(id));
            var response = await context.Client.GetAsync(context.Client.Api("tasks", taskId), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteRawJson(response.Body);
            }
            else
            {
                TaskViewText.Write(context.Output, response.Read<TaskView>());
            }

            return ExitCode.Ok;
        });
        return command;
    }
}
