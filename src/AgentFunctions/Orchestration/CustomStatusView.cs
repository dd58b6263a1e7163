using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Text;

namespace AgentFunctions.Orchestration;

/// <summary>
/// The task view as Durable custom status, made to fit the host's size limit. The Durable extension refuses a
/// custom status whose JSON is over 16 KB as UTF-16 (Azure/azure-functions-durable-extension:
/// <c>DurableOrchestrationContext.SetCustomStatus</c> passes <c>MaxCustomStatusPayloadSizeInKB = 16</c> to
/// <c>MessagePayloadDataConverter.Serialize(object value, int maxSizeInKB)</c>, which measures
/// <c>Encoding.Unicode.GetByteCount(json)</c>); the status lives in a Table Storage row either way. An oversized
/// status would fail the orchestration, so the view is shortened until it fits <see cref="BudgetBytes"/>.
/// </summary>
public static class CustomStatusView
{
    /// <summary>Agent-provided texts (summaries, errors, notes) are cut to this length first.</summary>
    public const int MaxTextLength = 500;

    /// <summary>The host's limit: 16 KB of UTF-16.</summary>
    public const int LimitBytes = 16 * 1024;

    /// <summary>
    /// What the view may take: 16 KB exactly. The host rounds the size down to whole KB before comparing, so it
    /// refuses only from 17 KB on; the rounding is the headroom.
    /// </summary>
    public const int BudgetBytes = LimitBytes;

    /// <summary>The contract dialect without null members: absent and null read back the same, and the view stays smaller.</summary>
    private static readonly JsonSerializerOptions Compact = CreateOptions();

    /// <summary>
    /// Shortenings in the order they are applied while the view is over budget: progress messages, summaries,
    /// artifact lists, error texts (and decision notes), the reply-to text, per-role usage, the list of past
    /// decisions, and as a last resort (16 roles with the longest names and id) the roles' progress and times.
    /// Each keeps what the task view of docs/api.md promises (role, state, attempt, next attempt, result and dead-letter references,
    /// pending approvals, outcome) and marks the view <see cref="TaskView.Truncated"/>; the dropped texts stay in the
    /// artifacts (results, dead letters, spec.json, result.json).
    /// </summary>
    private static readonly Func<TaskView, TaskView>[] Shortenings =
    [
        view => Roles(view, role => role with { ProgressMessage = null }),
        view => Roles(view, role => role with { Summary = null }),
        view => Roles(view, role => role with { Artifacts = [] }),
        view => Roles(view, role => role with { LastError = null }) with
        {
            Approval = view.Approval is { } approval ? approval with { Decisions = approval.Decisions.Select(d => d with { Note = null }).ToList() } : null,
            Outcome = view.Outcome is { } outcome ? outcome with { Reason = Snippet.Of(outcome.Reason, 80) } : null,
        },
        view => view with { ReplyTo = null },
        view => Roles(view, role => role with { Usage = null }),
        view => view with { Approval = view.Approval is { } approval ? approval with { Decisions = [] } : null },
        view => Roles(view, role => role with { Progress = null, StartedAt = null, FinishedAt = null }),
    ];

    /// <summary>The view as the JSON the orchestration sets as its custom status (within <see cref="BudgetBytes"/>).</summary>
    public static JsonElement ToCustomStatus(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var current = ShortenTexts(view);
        var json = Serialize(current);
        foreach (var shorten in Shortenings)
        {
            if (Fits(json))
            {
                break;
            }

            current = shorten(current) with { Truncated = true };
            json = Serialize(current);
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>The view as custom status JSON, without shortening.</summary>
    internal static string Serialize(TaskView view) => JsonSerializer.Serialize(view, Compact);

    /// <summary>Whether a serialized custom status is within <see cref="BudgetBytes"/>.</summary>
    public static bool Fits(string json) => Encoding.Unicode.GetByteCount(json) <= BudgetBytes;

    /// <summary>Agent-provided text is cut to <see cref="MaxTextLength"/>; the full text stays in the artifacts.</summary>
    public static TaskView ShortenTexts(TaskView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view with
        {
            Roles = view.Roles.Select(role => role with
            {
                Summary = Snippet.Of(role.Summary, MaxTextLength),
                LastError = Snippet.Of(role.LastError, MaxTextLength),
                ProgressMessage = Snippet.Of(role.ProgressMessage, MaxTextLength),
            }).ToList(),
            Approval = view.Approval is { } approval
                ? approval with { Decisions = approval.Decisions.Select(d => d with { Note = Snippet.Of(d.Note, MaxTextLength) }).ToList() }
                : null,
            Outcome = view.Outcome is { } outcome ? outcome with { Reason = Snippet.Of(outcome.Reason, MaxTextLength) } : null,
        };
    }

    private static TaskView Roles(TaskView view, Func<RoleView, RoleView> change) =>
        view with { Roles = view.Roles.Select(change).ToList() };

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(CoreJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        options.MakeReadOnly();
        return options;
    }
}
