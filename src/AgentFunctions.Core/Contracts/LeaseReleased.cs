namespace AgentFunctions.Core.Contracts;

/// <summary>The answer to a worker's release (200): the attempt waits for a worker again.</summary>
public sealed record LeaseReleased(string LeaseId, bool Released);
