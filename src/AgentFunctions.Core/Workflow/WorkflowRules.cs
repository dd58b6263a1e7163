namespace AgentFunctions.Core.Workflow;

/// <summary>Small rules the decider and the engines must agree on.</summary>
public static class WorkflowRules
{
    /// <summary>
    /// A role is in play once its stage has begun: it is the current stage and no undecided or
    /// rejected task gate holds the task back. Only roles in play run, retry or wait for approval.
    /// </summary>
    public static bool InPlay(RoleState role, int currentStage, ApprovalGate? taskGate)
    {
        ArgumentNullException.ThrowIfNull(role);
        return role.Stage == currentStage && taskGate is not { Decision: not ApprovalDecision.Approve };
    }

    public static bool InPlay(this TaskState state, RoleState role)
    {
        ArgumentNullException.ThrowIfNull(state);
        return InPlay(role, state.CurrentStage, state.Approval);
    }
}
