namespace AgentFunctions.Core.Contracts;

/// <summary>The extended lease, and whether the task was canceled (stop working, then complete or fail).</summary>
public sealed record HeartbeatResponse(string LeaseId, DateTimeOffset LeaseExpiresAt, bool Canceled);
