namespace AgentFunctions.Core.Workflow;

/// <summary>Where a task is. The last five are terminal.</summary>
public enum AgentTaskStatus
{
    Accepted,
    AwaitingApproval,
    Running,
    NeedsApproval,
    Completed,
    Failed,
    Rejected,
    Canceled,
    Expired,
}
