using AgentFunctions.Api.Http;
using AgentFunctions.Api.OpenApi;
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
        var api = app.MapGroup("/" + ApiRoutes.Prefix).WithTags("dashboard");
        api.MapGet(ApiRoutes.Dashboard, (HttpRequest r, DashboardEndpoints e) => e.Serve(r, null))
            .AllowAnonymous()
            .Describe("GetDashboard", "The web console's page (HTML, no key needed: every API call it makes carries the key entered in it)")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .Produces(StatusCodes.Status304NotModified);
        api.MapGet(ApiRoutes.DashboardAsset, (HttpRequest r, string? asset, DashboardEndpoints e) => e.Serve(r, asset))
            .AllowAnonymous()
            .Describe("GetDashboardAsset", "A script, style or icon of the web console (no key needed)")
            .Produces(StatusCodes.Status200OK, responseType: null, "text/javascript", "text/css", "image/svg+xml")
            .Produces(StatusCodes.Status304NotModified)
            .Problems(StatusCodes.Status404NotFound);
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
