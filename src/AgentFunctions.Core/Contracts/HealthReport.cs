namespace AgentFunctions.Core.Contracts;

/// <summary>
/// What <c>GET /api/health</c> returns: <c>healthy</c>; <c>degraded</c> when alerts fire (<see cref="Reasons"/> say which;
/// still 200); <c>unhealthy</c> when storage or the engine is down (503).
/// </summary>
public sealed record HealthReport(string Status, string Engine, string Version, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, string> Checks)
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";

    /// <summary>Why the server is not healthy, one sentence each.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The alerts that fire now.</summary>
    public IReadOnlyList<HealthAlert> Alerts { get; init; } = [];
}
