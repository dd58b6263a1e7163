namespace AgentFunctions.Core.Workflow.Events;

/// <summary>A runner or remote worker began attempt <see cref="Attempt"/> of a role; <see cref="Worker"/> names a remote worker that leased it.</summary>
public sealed record RoleAttemptStarted(string Role, int Attempt, string? Worker = null) : WorkflowEvent;
