using AgentFunctions.Core.Retries;

namespace AgentFunctions.Core.Contracts;

/// <summary>
/// One role of <c>GET /api/roles</c>: what a coordinator or worker may know about it. Runner options (commands,
/// URLs, keys, prompts) are left out: they are the host's business and may hold secrets.
/// </summary>
public sealed record RoleInfo
{
    public required string Name { get; init; }

    /// <summary>The runner kind as configured: remote, http, openai, command or echo.</summary>
    public required string Runner { get; init; }

    public required IReadOnlyList<string> Capabilities { get; init; }

    /// <summary>The role waits for an approval before it runs.</summary>
    public required bool RequiresApproval { get; init; }

    public required RetrySchedule Retry { get; init; }

    /// <summary>Attempts of the role that run at once on one host (local runners).</summary>
    public required int Concurrency { get; init; }

    public required int TimeoutSeconds { get; init; }

    /// <summary>The lease a remote worker gets unless it asks for another length.</summary>
    public required int LeaseSeconds { get; init; }

    /// <summary>The longest lease a remote worker may ask for.</summary>
    public required int MaxLeaseSeconds { get; init; }
}
