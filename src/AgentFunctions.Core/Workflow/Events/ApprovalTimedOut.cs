namespace AgentFunctions.Core.Workflow.Events;

/// <summary>
/// The approval timer armed for the gate with <see cref="DeadlineAt"/> fired (task gate when
/// <see cref="Role"/> is null). A timer for a gate that was since decided or replaced is stale.
/// </summary>
public sealed record ApprovalTimedOut(string? Role, DateTimeOffset DeadlineAt) : WorkflowEvent;
