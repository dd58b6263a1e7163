namespace AgentQ.Agent;

/// <summary>What <c>agentq take --json</c> prints: the attempt, its lease and where its files are (never the lease id).</summary>
public sealed record TakenAttempt(
    string TaskId,
    string Role,
    int Attempt,
    int MaxAttempts,
    DateTimeOffset LeaseExpiresAt,
    int LeaseSeconds,
    string Directory,
    IReadOnlyList<string> Files,
    string LeaseFile);
