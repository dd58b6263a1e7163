namespace AgentFunctions.Core.Contracts;

/// <summary>Percentiles over recent samples, in milliseconds; <see cref="Count"/> and <see cref="SumMs"/> cover every sample.</summary>
public sealed record LatencySummary(long Count, double? P50, double? P95, double? P99)
{
    /// <summary>Total of all samples counted, in milliseconds (a Prometheus summary's <c>_sum</c>).</summary>
    public double SumMs { get; init; }

    public static LatencySummary Empty { get; } = new(0, null, null, null);
}
