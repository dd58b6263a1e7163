namespace AgentFunctions.Core.Contracts;

/// <summary>What <c>GET /api/health</c> returns.</summary>
public sealed record HealthReport(string Status, string Engine, string Version, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, string> Checks);
