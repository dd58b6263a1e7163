namespace AgentFunctions.Core.Contracts;

/// <summary>What <c>GET /api/metrics</c> returns as JSON.</summary>
public sealed record MetricsSnapshot
{
    public required DateTimeOffset GeneratedAt { get; init; }

    public required string Engine { get; init; }

    /// <summary>Tasks by state (snake_case state name to count).</summary>
    public required IReadOnlyDictionary<string, long> Tasks { get; init; }

    public long Completed { get; init; }

    public long Failed { get; init; }

    public long DeadLettered { get; init; }

    public required IReadOnlyList<RoleMetrics> Roles { get; init; }

    public IReadOnlyList<WorkerSeen> Workers { get; init; } = [];

    /// <summary>
    /// Engine-specific figures for profiling, by name (the Standalone server: its database path, journal commits and
    /// timings, JIT-compiled methods); null where an engine has none. Not part of the stable contract.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Diagnostics { get; init; }
}
