namespace AgentFunctions.Core.Runners;

public enum AgentResultStatus
{
    Completed,
    NeedsApproval,
    Failed,
}
