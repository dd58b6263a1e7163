namespace AgentFunctions.Core.Workflow;

/// <summary>How a task ended.</summary>
public sealed record TaskOutcome
{
    public required AgentTaskStatus State { get; init; }

    public required string Reason { get; init; }

    public string? By { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>Artifact path of <c>result.json</c>.</summary>
    public string? ResultRef { get; init; }
}
