using AgentFunctions.Api.OpenApi;
using AgentFunctions.Core.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>Health (anonymous, for probes), metrics and the OpenAPI document on an ASP.NET Core host, over <see cref="OperationsEndpoints"/>.</summary>
public static class OperationsRoutes
{
    public static RouteGroupBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix).WithTags("operations");
        api.MapGet(ApiRoutes.Health, (OperationsEndpoints e, CancellationToken ct) => e.HealthAsync(ct))
            .AllowAnonymous()
            .Describe("GetHealth", "Health for probes: 200 healthy or degraded, 503 unhealthy (no key needed)")
            .Produces<HealthReport>()
            .Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);
        api.MapGet(ApiRoutes.Metrics, (HttpRequest r, OperationsEndpoints e, CancellationToken ct) => e.MetricsAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read))
            .Describe("GetMetrics", "Tasks by state, per-role queue, in-flight, retrying, dead-lettered, latency and usage figures, workers; JSON or Prometheus text")
            .Query("format", "json (default) or prometheus (also chosen by Accept: text/plain).")
            .Produces<MetricsSnapshot>(StatusCodes.Status200OK, RouteDocs.Json, "text/plain")
            .Problems(StatusCodes.Status400BadRequest);
        api.MapGet(ApiRoutes.OpenApiDocument, (OperationsEndpoints e) => e.OpenApiAsync())
            .AllowAnonymous()
            .Describe("GetOpenApiDocument", "This document (OpenAPI 3.1)")
            .Produces(StatusCodes.Status200OK, contentType: RouteDocs.Json);
        return api;
    }
}
