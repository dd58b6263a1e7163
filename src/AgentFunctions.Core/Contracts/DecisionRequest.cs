namespace AgentFunctions.Core.Contracts;

/// <summary>Body of approve (<c>by, note, role?</c>), reject (<c>by, reason|note, role?</c>) and cancel (<c>by, reason</c>).</summary>
public sealed record DecisionRequest
{
    public string? By { get; init; }

    public string? Note { get; init; }

    public string? Reason { get; init; }

    public string? Role { get; init; }
}
