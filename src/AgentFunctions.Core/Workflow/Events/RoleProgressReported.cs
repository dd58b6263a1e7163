namespace AgentFunctions.Core.Workflow.Events;

/// <summary>A remote worker's heartbeat carried progress (0..1) and a message.</summary>
public sealed record RoleProgressReported(string Role, int Attempt, double? Progress, string? Message) : WorkflowEvent;
