namespace AgentFunctions.Core.Configuration;

/// <summary>Host-wide workflow settings (<c>Workflow:*</c>).</summary>
public sealed record WorkflowOptions
{
    public const string SectionName = "Workflow";

    /// <summary>How long an approval may wait when the task does not say; then the task expires.</summary>
    public TimeSpan ApprovalTimeout { get; init; } = TimeSpan.FromHours(24);
}
