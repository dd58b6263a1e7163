namespace AgentFunctions.Core.Workflow.Commands;

/// <summary>Arm the approval timeout for a gate (the task gate when <see cref="Role"/> is null).</summary>
public sealed record AwaitApproval(string? Role, ApprovalKind Kind, DateTimeOffset DeadlineAt) : WorkflowCommand;
