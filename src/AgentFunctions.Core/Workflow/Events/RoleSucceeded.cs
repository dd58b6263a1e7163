namespace AgentFunctions.Core.Workflow.Events;

/// <summary>An attempt produced a result; its artifacts are already stored.</summary>
public sealed record RoleSucceeded(string Role, int Attempt, RoleResult Result) : WorkflowEvent;
