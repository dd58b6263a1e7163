using AgentFunctions.Api.Engine;
using AgentFunctions.Api.OpenApi;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>
/// Health and metrics (JSON, or Prometheus text with <c>?format=prometheus</c> or <c>Accept: text/plain</c>). The JSON is
/// the engine's snapshot; the text is what the Meter's instruments read on that same snapshot.
/// </summary>
public sealed class OperationsEndpoints(IEngineMonitor monitor, EngineInstruments instruments, ApiDocument document)
{
    /// <summary>GET /openapi.json: the OpenAPI document of this API, the same on both hosts.</summary>
    public async Task<IResult> OpenApiAsync() => TypedResults.Text(await document.GetJsonAsync(), "application/json; charset=utf-8");

    public async Task<IResult> HealthAsync(CancellationToken cancellationToken)
    {
        // healthy and degraded (working, with reasons) are 200; unhealthy is 503, so a probe takes the instance out.
        var report = await monitor.CheckHealthAsync(cancellationToken);
        // Degraded (alerts firing) still serves: 200 with the reasons. Only an engine or storage that is down is 503.
        return TypedResults.Json(report, CoreJson.Options, statusCode: report.Status == HealthReport.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    public async Task<IResult> MetricsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var snapshot = await monitor.GetMetricsAsync(cancellationToken);
        var format = request.Query["format"].ToString();
        var accept = request.Headers.Accept.ToString();
        var prometheus = format.Equals("prometheus", StringComparison.OrdinalIgnoreCase)
            || (format.Length == 0 && accept.Contains("text/plain", StringComparison.OrdinalIgnoreCase) && !accept.Contains("application/json", StringComparison.OrdinalIgnoreCase));
        if (format.Length > 0 && !prometheus && !format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return ApiProblems.BadRequest($"format: must be json or prometheus (got '{format}')");
        }

        if (prometheus)
        {
            return TypedResults.Text(PrometheusText.Render(instruments.Read(snapshot)), "text/plain; version=0.0.4; charset=utf-8");
        }

        instruments.Publish(snapshot);
        return TypedResults.Json(snapshot, CoreJson.Options);
    }
}
