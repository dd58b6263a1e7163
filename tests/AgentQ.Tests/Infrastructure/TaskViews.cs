using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;

namespace AgentQ.Tests.Infrastructure;

/// <summary>Canned contract documents for stubs, built from the Core records so they stay in the contract's shape.</summary>
internal static class TaskViews
{
    public static readonly DateTimeOffset At = new(2025, 1, 31, 12, 0, 0, TimeSpan.Zero);

    public static TaskView Task(string id, AgentTaskStatus state, params RoleView[] roles) => new()
    {
        Id = id,
        State = state,
        Type = "task",
        Priority = AgentFunctions.Core.Tasks.TaskPriority.Normal,
        CreatedAt = At,
        UpdatedAt = At,
        StageCount = 1,
        Roles = roles.Length > 0 ? roles : [Role("impl", state.IsTerminal() ? RoleStatus.Succeeded : RoleStatus.Running)],
        Outcome = state.IsTerminal() ? new OutcomeView(state, $"the task {Names.Of(state)}", "tester", At, null) : null,
        Links = TaskViewProjector.LinksFor(id, "http://127.0.0.1:1"),
    };

    public static RoleView Role(string role, RoleStatus state, int attempt = 1) => new()
    {
        Role = role,
        State = state,
        Attempt = attempt,
        MaxAttempts = 5,
        Summary = state == RoleStatus.Succeeded ? "done" : null,
    };

    public static ManagementPayload Payload(string baseUrl, string id)
    {
        var task = $"{baseUrl}/api/tasks/{id}";
        var instance = $"{baseUrl}/runtime/webhooks/durabletask/instances/{id}";
        return new ManagementPayload
        {
            Id = id,
            StatusQueryGetUri = instance,
            SendEventPostUri = instance + "/raiseEvent/{eventName}",
            TerminatePostUri = instance + "/terminate?reason={text}",
            PurgeHistoryDeleteUri = instance,
            TaskGetUri = task,
            ResultGetUri = task + "/result",
            ApprovePostUri = task + "/approve",
            RejectPostUri = task + "/reject",
            CancelPostUri = task + "/cancel",
        };
    }
}
