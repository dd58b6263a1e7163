using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>Projects decider state into the views of the HTTP API.</summary>
public static class TaskViewProjector
{
    /// <param name="baseUrl">Absolute origin such as http://127.0.0.1:7071, or null for relative links.</param>
    public static TaskView ToView(TaskState state, string? baseUrl = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new TaskView
        {
            Id = state.Id,
            State = state.Status,
            Type = state.Spec.Type ?? "task",
            From = state.Spec.From,
            Priority = state.Spec.Priority,
            CreatedAt = state.CreatedAt,
            UpdatedAt = state.UpdatedAt,
            DeadlineAt = state.DeadlineAt,
            Stage = state.CurrentStage,
            StageCount = state.StageCount,
            Roles = state.Roles.Select(ToView).ToList(),
            Approval = ToApprovalView(state),
            Outcome = ToOutcomeView(state.Outcome),
            Usage = TotalUsage(state),
            ReplyTo = state.Spec.ReplyTo,
            ReplayOf = state.Spec.ReplayOf,
            TraceId = state.Trace?.TraceId,
            Links = LinksFor(state.Id, baseUrl),
        };
    }

    /// <summary>The result document of a finished task; null while it runs.</summary>
    public static TaskResultDocument? ToResult(TaskState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Outcome is not { } outcome)
        {
            return null;
        }

        return new TaskResultDocument
        {
            Id = state.Id,
            State = state.Status,
            Outcome = ToOutcomeView(outcome)!,
            Roles = state.Roles.Select(role => new RoleResultView
            {
                Role = role.Role,
                Stage = role.Stage,
                State = role.Status,
                Attempts = role.Attempt,
                Summary = role.Status == RoleStatus.Succeeded ? role.Result?.Summary : null,
                ResultRef = role.Status == RoleStatus.Succeeded ? role.Result?.ResultRef : null,
                Artifacts = role.Status == RoleStatus.Succeeded ? role.Result?.Artifacts ?? [] : [],
                DeadLetterId = role.DeadLetterId,
                LastError = role.LastError,
                Usage = role.Result?.Usage,
            }).ToList(),
            Usage = TotalUsage(state),
            CreatedAt = state.CreatedAt,
            FinishedAt = outcome.At,
        };
    }

    public static TaskLinks LinksFor(string taskId, string? baseUrl)
    {
        var task = $"{baseUrl?.TrimEnd('/')}/api/tasks/{Uri.EscapeDataString(taskId)}";
        var status = $"{baseUrl?.TrimEnd('/')}/runtime/webhooks/durabletask/instances/{Uri.EscapeDataString(taskId)}";
        return new TaskLinks(task, task + "/result", task + "/artifacts/", task + "/approve", task + "/reject", task + "/cancel", status);
    }

    private static RoleView ToView(RoleState role) => new()
    {
        Role = role.Role,
        Stage = role.Stage,
        State = role.Status,
        Attempt = role.Attempt,
        MaxAttempts = role.MaxAttempts,
        NextAttemptAt = role.NextAttemptAt,
        LastError = role.LastError,
        ResultRef = role.Result?.ResultRef,
        Summary = role.Result?.Summary,
        Artifacts = role.Result?.Artifacts ?? [],
        Progress = role.Progress,
        ProgressMessage = role.ProgressMessage,
        StartedAt = role.StartedAt,
        FinishedAt = role.FinishedAt,
        DeadLetterId = role.DeadLetterId,
        Usage = role.Result?.Usage,
    };

    private static ApprovalView? ToApprovalView(TaskState state)
    {
        var gates = new List<(string? Role, ApprovalGate Gate, bool Open)>();
        if (state.Approval is { } taskGate)
        {
            gates.Add((null, taskGate, taskGate.IsPending && !state.IsTerminal));
        }

        foreach (var role in state.Roles)
        {
            if (role.Approval is { } gate)
            {
                gates.Add((role.Role, gate, role.Status.AwaitsDecision() && !state.IsTerminal));
            }
        }

        if (gates.Count == 0)
        {
            return null;
        }

        var waiting = gates.Where(g => g.Open)
            .Select(g => new PendingApprovalView(g.Role, g.Gate.Kind, g.Gate.RequestedAt, g.Gate.DeadlineAt))
            .ToList();
        var decisions = gates.Where(g => g.Gate.Decision is not null)
            .Select(g => new ApprovalDecisionView(g.Role, g.Gate.Kind, g.Gate.Decision!.Value, g.Gate.By, g.Gate.Note, g.Gate.DecidedAt))
            .ToList();
        return new ApprovalView { Pending = waiting.Count > 0, Waiting = waiting, Decisions = decisions };
    }

    private static OutcomeView? ToOutcomeView(TaskOutcome? outcome) =>
        outcome is null ? null : new OutcomeView(outcome.State, outcome.Reason, outcome.By, outcome.At, outcome.ResultRef);

    private static AgentUsage? TotalUsage(TaskState state)
    {
        AgentUsage? total = null;
        foreach (var usage in state.Roles.Select(r => r.Result?.Usage).OfType<AgentUsage>())
        {
            total = total is null ? usage : AgentUsage.Add(total, usage);
        }

        return total;
    }
}
