using AgentFunctions.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgentFunctions.Api.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Sends the product's traces (its ActivitySource, incoming requests, outgoing HTTP calls) and metrics (its Meter)
    /// over OTLP when <see cref="OtlpExport.IsOn"/>; otherwise registers nothing, so no span or measurement is made
    /// for anyone. <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c> and the other standard variables
    /// apply as the OpenTelemetry SDK defines them; the service is named <paramref name="defaultServiceName"/> unless
    /// <c>OTEL_SERVICE_NAME</c> says otherwise.
    /// </summary>
    /// <param name="recordRequests">Whether this process records its incoming HTTP requests (the Functions host records them itself).</param>
    /// <param name="hostDefaults">What the host adds first (the Functions worker's resource and defaults).</param>
    /// <returns>Whether export is on.</returns>
    public static bool AddAgentFunctionsTelemetry(
        this IServiceCollection services, IConfiguration configuration, string defaultServiceName, bool recordRequests = true, Action<IOpenTelemetryBuilder>? hostDefaults = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!OtlpExport.IsOn(configuration))
        {
            return false;
        }

        var telemetry = services.AddOpenTelemetry();
        hostDefaults?.Invoke(telemetry);
        if (string.IsNullOrWhiteSpace(configuration[OtlpExport.ServiceNameVariable]))
        {
            telemetry.ConfigureResource(resource => resource.AddService(defaultServiceName));
        }

        telemetry
            .WithTracing(tracing =>
            {
                tracing.AddSource(AgentTelemetry.Name).AddHttpClientInstrumentation();
                if (recordRequests)
                {
                    tracing.AddAspNetCoreInstrumentation();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AgentTelemetry.Name);
                if (recordRequests)
                {
                    metrics.AddAspNetCoreInstrumentation();
                }
            })
            .UseOtlpExporter();
        return true;
    }
}
