using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>A gate waiting for a decision; <see cref="Role"/> is null for the task gate.</summary>
public sealed record PendingApprovalView(string? Role, ApprovalKind Kind, DateTimeOffset RequestedAt, DateTimeOffset DeadlineAt);
