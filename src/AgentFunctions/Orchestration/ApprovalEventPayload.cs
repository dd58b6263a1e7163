namespace AgentFunctions.Orchestration;

/// <summary>The <c>approval</c> event body; <see cref="Decision"/> is <c>approve</c> or <c>reject</c>.</summary>
public sealed record ApprovalEventPayload(string Decision, string? By, string? Note, string? Role);
