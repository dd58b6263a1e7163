using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Api.Telemetry;

/// <summary>
/// Whether OTLP export is asked for, by the standard OpenTelemetry variables: an endpoint
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, or one per signal) and not <c>OTEL_SDK_DISABLED=true</c>. Hosts read them from
/// their configuration, which holds the environment.
/// </summary>
public static class OtlpExport
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string TracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string MetricsEndpointVariable = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";
    public const string DisabledVariable = "OTEL_SDK_DISABLED";

    public static bool IsOn(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.Equals(configuration[DisabledVariable], "true", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return new[] { EndpointVariable, TracesEndpointVariable, MetricsEndpointVariable }.Any(name => !string.IsNullOrWhiteSpace(configuration[name]));
    }
}
