namespace AgentFunctions.Orchestration;

/// <summary>The <c>cancel</c> event body.</summary>
public sealed record CancelEventPayload(string? By, string? Reason);
