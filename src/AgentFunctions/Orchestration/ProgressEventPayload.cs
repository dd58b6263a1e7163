namespace AgentFunctions.Orchestration;

/// <summary>The <c>progress</c> event body a remote worker's heartbeat raises on its task.</summary>
public sealed record ProgressEventPayload(string Role, int Attempt, double? Progress, string? Message);
