using System.Diagnostics.Metrics;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Api.Telemetry;

/// <summary>
/// The attempt latency histogram: each attempt's duration as the engine measured it, by role and outcome, recorded
/// as it ends (for an OpenTelemetry exporter; <c>/api/metrics</c> keeps its percentiles per role).
/// </summary>
public sealed class AttemptInstruments
{
    public const string DurationName = "agentfunctions.attempt.duration";

    // From quick echo runs to hour-long agent sessions, in milliseconds.
    private static readonly double[] Buckets = [10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 900000, 3600000];

    private readonly Histogram<double> _duration;

    public AttemptInstruments(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _duration = meters.Create(AgentTelemetry.Name).CreateHistogram(
            DurationName,
            "ms",
            "Duration of role attempts, by role and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
    }

    /// <param name="outcome">One of <see cref="AttemptOutcomes"/>.</param>
    public void Record(string role, TimeSpan duration, string outcome)
    {
        if (_duration.Enabled)
        {
            _duration.Record(duration.TotalMilliseconds, new KeyValuePair<string, object?>("role", role), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
