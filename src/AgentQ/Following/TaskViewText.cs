using System.Globalization;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentQ.Output;

namespace AgentQ.Following;

/// <summary>How a task view reads to a person: a header line, a table of roles, approvals and the outcome.</summary>
public static class TaskViewText
{
    public static string Header(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var parts = new List<string> { view.Id, Fmt.Of(view.State), "type " + view.Type, "priority " + Fmt.Of(view.Priority) };
        if (view.StageCount > 1)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"stage {Math.Min(view.Stage + 1, view.StageCount)}/{view.StageCount}"));
        }

        if (view.From is { Length: > 0 } from)
        {
            parts.Add("from " + from);
        }

        parts.Add("updated " + Fmt.Time(view.UpdatedAt));
        if (view.DeadlineAt is { } deadline && !view.State.IsTerminal())
        {
            parts.Add("deadline " + Fmt.Time(deadline));
        }

        return string.Join("  ", parts);
    }

    public static TableData Roles(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var rows = view.Roles
            .Select(r => (IReadOnlyList<string>)
            [
                r.Role,
                (r.Stage + 1).ToString(CultureInfo.InvariantCulture),
                Fmt.Of(r.State),
                Attempt(r),
                Detail(r),
            ])
            .ToList();
        return new TableData(["ROLE", "STAGE", "STATE", "ATTEMPT", "DETAIL"], rows);
    }

    /// <summary>"2/5", or "-" before the first attempt.</summary>
    public static string Attempt(RoleView role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return role.Attempt == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{role.Attempt}/{role.MaxAttempts}");
    }

    /// <summary>What matters about the role now: what its attempt waits for, progress, the next retry, its summary or its error.</summary>
    public static string Detail(RoleView role)
    {
        ArgumentNullException.ThrowIfNull(role);
        var detail = role.State switch
        {
            RoleStatus.Running => (role.Progress is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p * 100:0}% ") : string.Empty) + role.ProgressMessage,
            RoleStatus.Retrying => $"next attempt {Fmt.Time(role.NextAttemptAt)}; last error: {role.LastError}",
            RoleStatus.DeadLettered => $"dead letter {role.DeadLetterId}: {role.LastError}",
            RoleStatus.Succeeded or RoleStatus.NeedsApproval => role.Summary ?? role.ResultRef,
            _ => role.LastError,
        };

        // The wait reason (a capability nobody offers, the circuit breaker's hold) is why nothing moves: it goes first.
        if (role.WaitReason is { Length: > 0 } waiting)
        {
            detail = string.IsNullOrWhiteSpace(detail) ? waiting : $"{waiting}; {detail}";
            return Fmt.Short(detail, 160);
        }

        return Fmt.Short(detail);
    }

    /// <summary>Lines about pending approvals, with the command that answers each.</summary>
    public static IEnumerable<string> Approvals(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        foreach (var waiting in view.Approval?.Waiting ?? [])
        {
            var what = waiting.Role is null ? "the task" : $"role {waiting.Role}";
            var flag = waiting.Role is null ? string.Empty : $" --role {waiting.Role}";
            yield return $"waiting for approval of {what} ({Fmt.Of(waiting.Kind)}) until {Fmt.Time(waiting.DeadlineAt)}: agentq approve {view.Id}{flag} | agentq reject {view.Id}{flag} --reason ...";
        }
    }

    /// <summary>Decisions taken so far, with their notes (a reject's reason is only here, not in the outcome).</summary>
    public static IEnumerable<string> Decisions(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        foreach (var decision in view.Approval?.Decisions ?? [])
        {
            var what = decision.Role is null ? "the task" : $"role {decision.Role}";
            var by = decision.By is { Length: > 0 } who ? $" by {who}" : string.Empty;
            var note = string.IsNullOrWhiteSpace(decision.Note) ? string.Empty : ": " + Fmt.Short(decision.Note, 200);
            yield return $"decision: {Fmt.Of(decision.Decision)} {what}{by} at {Fmt.Time(decision.At)}{note}";
        }
    }

    public static string? Outcome(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Outcome is not { } outcome)
        {
            return null;
        }

        var by = outcome.By is { Length: > 0 } who ? $" by {who}" : string.Empty;
        return $"{Fmt.Of(outcome.State)}{by} at {Fmt.Time(outcome.At)}: {Fmt.Short(outcome.Reason, 200)}";
    }

    /// <summary>The whole view as lines and a table, for <c>status</c> and the end of a watch.</summary>
    public static void Write(CliOutput output, TaskView view)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(view);
        output.Line(Header(view));
        output.Table(Roles(view));
        foreach (var line in Approvals(view).Concat(Decisions(view)))
        {
            output.Line(line);
        }

        if (Outcome(view) is { } outcome)
        {
            output.Line("outcome: " + outcome);
        }
    }
}
