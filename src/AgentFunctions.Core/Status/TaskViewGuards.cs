using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>
/// Whether a decision or a cancel makes sense for a task as its view shows it; both hosts answer
/// 409 with these messages. (The decider ignores such events anyway; this is for a clear answer.)
/// </summary>
public static class TaskViewGuards
{
    /// <summary>Why an approval or rejection cannot be taken now, or null when it can.</summary>
    public static string? ExplainDecisionConflict(TaskView view, string? role)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.State.IsTerminal())
        {
            return $"task '{view.Id}' has already ended ({Names.Of(view.State)})";
        }

        var waiting = view.Approval?.Waiting ?? [];
        if (waiting.Any(w => w.Role is null))
        {
            return role is null
                ? null
                : $"task '{view.Id}' waits for approval of the whole task; approve or reject it without a role first";
        }

        if (role is null)
        {
            return waiting.Count > 0 ? null : $"task '{view.Id}' is not awaiting approval";
        }

        var roleView = view.Roles.FirstOrDefault(r => r.Role == role);
        if (roleView is null)
        {
            return $"task '{view.Id}' has no role '{role}'";
        }

        return waiting.Any(w => w.Role == role)
            ? null
            : $"role '{role}' of task '{view.Id}' is not awaiting approval ({Names.Of(roleView.State)})";
    }

    /// <summary>Why the task cannot be canceled now, or null when it can.</summary>
    public static string? ExplainCancelConflict(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.State.IsTerminal() ? $"task '{view.Id}' has already ended ({Names.Of(view.State)})" : null;
    }
}
