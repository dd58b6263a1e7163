namespace AgentFunctions.Core.Contracts;

/// <summary>Percentiles over recent samples, in milliseconds.</summary>
public sealed record LatencySummary(long Count, double? P50, double? P95, double? P99)
{
    public static LatencySummary Empty { get; } = new(0, null, null, null);
}
