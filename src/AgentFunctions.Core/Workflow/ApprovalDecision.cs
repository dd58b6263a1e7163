namespace AgentFunctions.Core.Workflow;

public enum ApprovalDecision
{
    Approve,
    Reject,
}
