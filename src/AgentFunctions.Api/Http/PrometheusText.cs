using System.Globalization;
using System.Text;
using AgentFunctions.Api.Telemetry;

namespace AgentFunctions.Api.Http;

/// <summary>
/// Renders what the product's metric instruments read (<see cref="EngineInstruments.Read"/>) in the Prometheus text
/// exposition format, one family per figure of <see cref="MetricFigures"/>, with the names and labels it always had.
/// </summary>
public static class PrometheusText
{
    public static string Render(IReadOnlyList<FigureReading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var text = new StringBuilder();
        foreach (var reading in readings)
        {
            var figure = reading.Figure;
            if (figure.PrometheusType is { } type)
            {
                text.Append("# HELP ").Append(figure.PrometheusName).Append(' ').Append(figure.Description).Append('\n')
                    .Append("# TYPE ").Append(figure.PrometheusName).Append(' ').Append(type).Append('\n');
            }

            foreach (var (value, tags) in reading.Samples)
            {
                Sample(text, figure.PrometheusName, value, tags);
            }
        }

        return text.ToString();
    }

    private static void Sample(StringBuilder text, string name, double value, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        text.Append(name);
        if (labels.Count > 0)
        {
            text.Append('{');
            for (var i = 0; i < labels.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                text.Append(labels[i].Key).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);
}
