using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Json;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>Health and metrics (JSON, or Prometheus text with <c>?format=prometheus</c> or <c>Accept: text/plain</c>).</summary>
public sealed class OperationsEndpoints(IEngineMonitor monitor)
{
    public async Task<IResult> HealthAsync(CancellationToken cancellationToken)
    {
        // healthy and degraded (working, with reasons) are 200; unhealthy is 503, so a probe takes the instance out.
        var report = await monitor.CheckHealthAsync(cancellationToken);
        return TypedResults.Json(report, CoreJson.Options, statusCode: report.Status == "unhealthy" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
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

        return prometheus
            ? TypedResults.Text(PrometheusText.Render(snapshot), "text/plain; version=0.0.4; charset=utf-8")
            : TypedResults.Json(snapshot, CoreJson.Options);
    }
}
