using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>A decision taken on a gate; <see cref="Role"/> is null for the task gate.</summary>
public sealed record ApprovalDecisionView(string? Role, ApprovalKind Kind, ApprovalDecision Decision, string? By, string? Note, DateTimeOffset? At);
