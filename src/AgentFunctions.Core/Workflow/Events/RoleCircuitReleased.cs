namespace AgentFunctions.Core.Workflow.Events;

/// <summary>The role's circuit breaker closed (or let this attempt through as its probe): the held attempt may start.</summary>
public sealed record RoleCircuitReleased(string Role) : WorkflowEvent;
