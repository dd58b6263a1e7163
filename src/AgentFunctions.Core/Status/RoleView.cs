using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>One role in the task view. <see cref="Attempt"/> counts attempts started so far.</summary>
public sealed record RoleView
{
    public required string Role { get; init; }

    public int Stage { get; init; }

    public required RoleStatus State { get; init; }

    public int Attempt { get; init; }

    public int MaxAttempts { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? LastError { get; init; }

    public string? ResultRef { get; init; }

    public string? Summary { get; init; }

    public IReadOnlyList<string> Artifacts { get; init; } = [];

    public double? Progress { get; init; }

    public string? ProgressMessage { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? DeadLetterId { get; init; }

    public AgentUsage? Usage { get; init; }
}
