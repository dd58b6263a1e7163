using AgentFunctions.Core.Status;

namespace AgentFunctions.Orchestration;

/// <summary>
/// The task view as Durable custom status. Custom status lives in the instance table and is size-limited,
/// so agent-provided text (summaries, errors, notes) is shortened; the full text stays in the artifacts.
/// </summary>
public static class CustomStatusView
{
    public const int MaxTextLength = 500;

    public static TaskView Compact(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view with
        {
            Roles = view.Roles.Select(role => role with
            {
                Summary = Shorten(role.Summary),
                LastError = Shorten(role.LastError),
                ProgressMessage = Shorten(role.ProgressMessage),
            }).ToList(),
            Approval = view.Approval is { } approval
                ? approval with { Decisions = approval.Decisions.Select(d => d with { Note = Shorten(d.Note) }).ToList() }
                : null,
            Outcome = view.Outcome is { } outcome ? outcome with { Reason = Shorten(outcome.Reason)! } : null,
        };
    }

    private static string? Shorten(string? text) =>
        text is null || text.Length <= MaxTextLength ? text : string.Concat(text.AsSpan(0, MaxTextLength - 3), "...");
}
