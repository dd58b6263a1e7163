namespace AgentFunctions.Api.Telemetry;

/// <summary>How a figure is observed: a value that goes up and down, or a running total.</summary>
public enum MetricFigureKind
{
    Gauge,
    Counter,
}
