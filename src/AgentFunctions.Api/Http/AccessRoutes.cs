using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>GET /api/whoami on an ASP.NET Core host, over <see cref="AccessEndpoints"/>: any valid key may ask what it may do.</summary>
public static class AccessRoutes
{
    public static RouteGroupBuilder MapAccessApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapGet(ApiRoutes.WhoAmI, (HttpContext c, AccessEndpoints e) => e.WhoAmI(c))
            .WithMetadata(RequiredScope.AnyKey);
        return api;
    }
}
