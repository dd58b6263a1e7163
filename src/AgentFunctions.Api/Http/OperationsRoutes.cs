using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>Health (anonymous, for probes) and metrics on an ASP.NET Core host, over <see cref="OperationsEndpoints"/>.</summary>
public static class OperationsRoutes
{
    public static RouteGroupBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapGet(ApiRoutes.Health, (OperationsEndpoints e, CancellationToken ct) => e.HealthAsync(ct))
            .AllowAnonymous();
        api.MapGet(ApiRoutes.Metrics, (HttpRequest r, OperationsEndpoints e, CancellationToken ct) => e.MetricsAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        return api;
    }
}
