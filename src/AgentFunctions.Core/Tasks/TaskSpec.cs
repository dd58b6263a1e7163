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

    /// <summary>Set by the server when the task replays a dead letter.</summary>
    public string? ReplayOf { get; init; }

    /// <summary>The stages to run: <see cref="Stages"/>, or <see cref="To"/> as a single stage.</summary>
    public IReadOnlyList<IReadOnlyList<string>> EffectiveStages() =>
        Stages ?? (To is { Count: > 0 } ? [To] : []);

    /// <summary>Every role named by the spec, in stage order.</summary>
    public IEnumerable<string> AllRoles() => EffectiveStages().SelectMany(stage => stage);
}
