namespace AgentFunctions.Core.Workflow;

/// <summary>One wait for a human decision and, once made, the decision.</summary>
public sealed record ApprovalGate
{
    public required ApprovalKind Kind { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public required DateTimeOffset DeadlineAt { get; init; }

    public ApprovalDecision? Decision { get; init; }

    public string? By { get; init; }

    public string? Note { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    public bool IsPending => Decision is null;
}
