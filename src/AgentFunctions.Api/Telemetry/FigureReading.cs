namespace AgentFunctions.Api.Telemetry;

/// <summary>What one figure's instrument measured: its samples, each with its tags (the Prometheus labels).</summary>
public sealed record FigureReading(MetricFigure Figure, IReadOnlyList<(double Value, IReadOnlyList<KeyValuePair<string, string>> Tags)> Samples);
