using System.Text.Json.Serialization;

namespace AgentFunctions.Core.Tasks;

/// <summary>
/// What a coordinator submits: who asks, which roles work on it (all at once with <see cref="To"/>,
/// or in order with <see cref="Stages"/>), what to do and with which context.
/// </summary>
public sealed record TaskSpec
{
    public string? Id { get; init; }

    public string? From { get; init; }

    /// <summary>Roles that run in parallel (fan-out). Exclusive with <see cref="Stages"/>.</summary>
    public IReadOnlyList<string>? To { get; init; }

    /// <summary>Groups of roles that run one after another; later stages see earlier results.</summary>
    public IReadOnlyList<IReadOnlyList<string>>? Stages { get; init; }

    public string? Type { get; init; }

    public string? Instructions { get; init; }

    public TaskPayload? Payload { get; init; }

    /// <summary>Inline context (markdown), stored as <c>tasks/&lt;id&gt;/context.md</c>.</summary>
    public string? Context { get; init; }

    public TaskPriority Priority { get; init; } = TaskPriority.Normal;

    public int? TtlSeconds { get; init; }

    public string? ReplyTo { get; init; }

    public bool RequiresApproval { get; init; }

    public string? ExpectedOutput { get; init; }

    public TaskRetryOverride? Retry { get; init; }

    /// <summary>How long an approval may wait before the task expires; the host default when absent.</summary>
    public int? ApprovalTimeoutSeconds { get; init; }

    /// <summary>Capabilities every attempt of the task needs from whoever runs it (a remote worker or a local role).</summary>
    /// <remarks>Left out of the JSON when absent, so fingerprints of specs without it stay what they were.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Requires { get; init; }

    /// <summary>
    /// Per stage, in the order of <see cref="Stages"/>, capabilities its attempts need on top of <see cref="Requires"/>
    /// (submitted as <c>stages: [{ "roles": [...], "requires": [...] }]</c>); null when no stage asks for any.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<IReadOnlyList<string>>? StageRequires { get; init; }

    /// <summary>Set by the server when the task replays a dead letter.</summary>
    public string? ReplayOf { get; init; }

    /// <summary>The stages to run: <see cref="Stages"/>, or <see cref="To"/> as a single stage.</summary>
    public IReadOnlyList<IReadOnlyList<string>> EffectiveStages() =>
        Stages ?? (To is { Count: > 0 } ? [To] : []);

    /// <summary>What an attempt of a role in <paramref name="stage"/> needs: the task's and the stage's requirements, sorted, once each.</summary>
    public IReadOnlyList<string> RequirementsOf(int stage)
    {
        var stageRequires = StageRequires is { } perStage && stage >= 0 && stage < perStage.Count ? perStage[stage] : null;
        if ((Requires is null || Requires.Count == 0) && (stageRequires is null || stageRequires.Count == 0))
        {
            return [];
        }

        return (Requires ?? []).Concat(stageRequires ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every role named by the spec, in stage order.</summary>
    public IEnumerable<string> AllRoles() => EffectiveStages().SelectMany(stage => stage);
}
