using AgentFunctions.Core.Runners;

namespace AgentFunctions.Core.Contracts;

/// <summary>An attempt handed to a remote worker until <see cref="LeaseExpiresAt"/> (extended by heartbeats).</summary>
public sealed record LeaseGrant
{
    public required string LeaseId { get; init; }

    public required string TaskId { get; init; }

    public required string Role { get; init; }

    public required int Attempt { get; init; }

    public int MaxAttempts { get; init; }

    public required string Prompt { get; init; }

    public required DateTimeOffset LeaseExpiresAt { get; init; }

    public int LeaseSeconds { get; init; }

    /// <summary>The full attempt envelope (instructions, payload, context, earlier results).</summary>
    public required AgentAttempt Input { get; init; }

    public string? HeartbeatUri { get; init; }

    public string? CompleteUri { get; init; }

    public string? FailUri { get; init; }

    public string? ReleaseUri { get; init; }
}
