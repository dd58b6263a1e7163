using System.Globalization;
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
            Roles = state.Roles.Select(role => ToView(state, role)).ToList(),
            Approval = ToApprovalView(state),
            Outcome = ToOutcomeView(state.Outcome),
            Usage = TotalUsage(state),
            ReplyTo = state.Spec.ReplyTo,
            ReplayOf = state.Spec.ReplayOf,
            TraceId = state.Trace?.TraceId,
            Links = LinksFor(state.Id, baseUrl),
            Warnings = WarningsOf(state),
        };
    }

    /// <summary>The words a role view shows for a role whose attempt waits on its requirements or on the circuit breaker.</summary>
    public static string? WaitReason(IReadOnlyList<string> requires, DateTimeOffset? circuitHeldUntil, string role)
    {
        ArgumentNullException.ThrowIfNull(requires);
        var reasons = new List<string>(2);
        if (circuitHeldUntil is { } until)
        {
            reasons.Add($"held by the circuit breaker of role '{role}' until {until.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}");
        }

        if (requires.Count > 0)
        {
            reasons.Add("waiting for a worker with: " + string.Join(", ", requires));
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
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

    private static RoleView ToView(TaskState state, RoleState role)
    {
        var requires = state.Spec.RequirementsOf(role.Stage);
        var waiting = role.Status is RoleStatus.Pending or RoleStatus.Retrying && !state.IsTerminal && state.InPlay(role);
        return ToView(role) with
        {
            Requires = requires.Count > 0 ? requires : null,
            CircuitHeldUntil = waiting ? role.CircuitHeldUntil : null,
            WaitReason = waiting ? WaitReason(requires, role.CircuitHeldUntil, role.Role) : null,
        };
    }

    private static IReadOnlyList<string>? WarningsOf(TaskState state)
    {
        var warnings = state.Warnings.ToList();
        foreach (var role in state.Roles)
        {
            if (role.Result?.Warnings is { Count: > 0 } redacted)
            {
                warnings.AddRange(redacted.Select(w => $"role '{role.Role}': {w}"));
            }
        }

        return warnings.Count == 0 ? null : warnings;
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
