namespace AgentFunctions.Core.Workflow.Commands;

/// <summary>Stop an in-flight attempt; whatever it still produces is discarded.</summary>
public sealed record CancelRoleAttempt(string Role, int Attempt) : WorkflowCommand;
