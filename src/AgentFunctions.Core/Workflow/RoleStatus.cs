namespace AgentFunctions.Core.Workflow;

/// <summary>Where one role of a task is. The last five are terminal.</summary>
public enum RoleStatus
{
    Pending,
    AwaitingApproval,
    Running,
    Retrying,
    NeedsApproval,
    Succeeded,
    DeadLettered,
    Rejected,
    Canceled,
    Skipped,
}
