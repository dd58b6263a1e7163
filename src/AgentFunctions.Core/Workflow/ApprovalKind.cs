namespace AgentFunctions.Core.Workflow;

/// <summary>A gate before a role (or the whole task) runs, or on a result the agent asked to have checked.</summary>
public enum ApprovalKind
{
    PreRun,
    Result,
}
