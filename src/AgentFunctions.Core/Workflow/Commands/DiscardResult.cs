namespace AgentFunctions.Core.Workflow.Commands;

/// <summary>A result arrived after its role was canceled: keep it only as a discarded artifact.</summary>
public sealed record DiscardResult(string Role, int Attempt, RoleResult Result) : WorkflowCommand;
