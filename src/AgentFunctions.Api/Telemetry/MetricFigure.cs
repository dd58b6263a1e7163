using System.Diagnostics.Metrics;
using AgentFunctions.Core.Contracts;

namespace AgentFunctions.Api.Telemetry;

/// <summary>
/// One figure of <c>/api/metrics</c> as an observable instrument of the product's Meter, and how the Prometheus text
/// names it. <see cref="PrometheusType"/> null continues the family of the figure before it (a summary's
/// <c>_sum</c> and <c>_count</c>).
/// </summary>
public sealed record MetricFigure(
    string Name,
    string? Unit,
    string Description,
    MetricFigureKind Kind,
    string PrometheusName,
    string? PrometheusType,
    Func<MetricsSnapshot, IEnumerable<Measurement<double>>> Measure)
{
    /// <summary>Creates the instrument; its callback measures whatever snapshot <paramref name="current"/> gives (none: no measurements).</summary>
    public ObservableInstrument<double> Register(Meter meter, Func<MetricsSnapshot?> current)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(current);
        IEnumerable<Measurement<double>> Observe() => current() is { } snapshot ? Measure(snapshot) : [];
        return Kind == MetricFigureKind.Gauge
            ? meter.CreateObservableGauge(Name, Observe, Unit, Description)
            : meter.CreateObservableCounter(Name, Observe, Unit, Description);
    }
}
