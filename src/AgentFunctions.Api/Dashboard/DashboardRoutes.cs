using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Dashboard;

/// <summary>
/// The web console on an ASP.NET Core host, over <see cref="DashboardEndpoints"/>. Anonymous: a browser cannot send the
/// key header when it navigates, and the page holds no data (every call it makes carries the key). A server's own
/// rules still apply before routing (the Standalone server serves only loopback clients when it has no keys).
/// </summary>
public static class DashboardRoutes
{
    public static RouteGroupBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapGet(ApiRoutes.Dashboard, (HttpRequest r, DashboardEndpoints e) => e.Serve(r, null))
            .AllowAnonymous();
        api.MapGet(ApiRoutes.DashboardAsset, (HttpRequest r, string? asset, DashboardEndpoints e) => e.Serve(r, asset))
            .AllowAnonymous();
        return api;
    }

    /// <summary><c>GET /</c> to the dashboard, for a server that owns its root (the Standalone server; Functions serves only below /api).</summary>
    public static IEndpointConventionBuilder MapDashboardRedirect(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapGet("/", (HttpRequest r) => TypedResults.Redirect(r.PathBase + "/" + ApiRoutes.Prefix + "/" + ApiRoutes.Dashboard))
            .AllowAnonymous();
    }
}
