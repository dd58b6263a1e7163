namespace AgentFunctions.Core.Workflow;

public static class StatusExtensions
{
    public static bool IsTerminal(this AgentTaskStatus status) => status >= AgentTaskStatus.Completed;

    public static bool IsTerminal(this RoleStatus status) => status >= RoleStatus.Succeeded;

    /// <summary>The role waits for a human decision (before running, or on its result).</summary>
    public static bool AwaitsDecision(this RoleStatus status) =>
        status is RoleStatus.AwaitingApproval or RoleStatus.NeedsApproval;
}
