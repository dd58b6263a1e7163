namespace AgentFunctions.Core.Workflow.Events;

/// <summary>A runner or remote worker began attempt <see cref="Attempt"/> of a role.</summary>
public sealed record RoleAttemptStarted(string Role, int Attempt) : WorkflowEvent;
