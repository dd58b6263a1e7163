namespace AgentFunctions.Core.Status;

/// <summary>The approvals a task waits for and the decisions taken so far.</summary>
public sealed record ApprovalView
{
    /// <summary>True while the task waits for at least one decision.</summary>
    public bool Pending { get; init; }

    public IReadOnlyList<PendingApprovalView> Waiting { get; init; } = [];

    public IReadOnlyList<ApprovalDecisionView> Decisions { get; init; } = [];
}
