namespace AgentFunctions.Core.Contracts;

/// <summary>The answer to a worker's complete or fail (200): the lease's result is taken.</summary>
public sealed record ResultAccepted(string LeaseId, bool Accepted);
