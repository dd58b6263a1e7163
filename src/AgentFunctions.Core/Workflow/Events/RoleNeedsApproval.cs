namespace AgentFunctions.Core.Workflow.Events;

/// <summary>An attempt produced a result the agent wants a human to approve.</summary>
public sealed record RoleNeedsApproval(string Role, int Attempt, RoleResult Result) : WorkflowEvent;
