using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>One role's part of a task result.</summary>
public sealed record RoleResultView
{
    public required string Role { get; init; }

    public int Stage { get; init; }

    public required RoleStatus State { get; init; }

    public int Attempts { get; init; }

    public string? Summary { get; init; }

    public string? ResultRef { get; init; }

    public IReadOnlyList<string> Artifacts { get; init; } = [];

    public string? DeadLetterId { get; init; }

    public string? LastError { get; init; }

    public AgentUsage? Usage { get; init; }
}
