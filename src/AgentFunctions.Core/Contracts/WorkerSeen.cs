namespace AgentFunctions.Core.Contracts;

/// <summary>When a remote worker last leased or heartbeated.</summary>
public sealed record WorkerSeen(string WorkerId, string Role, DateTimeOffset LastSeenAt);
