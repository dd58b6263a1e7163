namespace AgentFunctions.Core.Workflow.Events;

/// <summary>
/// The <c>approval</c> external event. Without <see cref="Role"/> it decides everything the task
/// waits for; with it, that role only.
/// </summary>
public sealed record ApprovalDecided(ApprovalDecision Decision, string? By, string? Note, string? Role) : WorkflowEvent;
