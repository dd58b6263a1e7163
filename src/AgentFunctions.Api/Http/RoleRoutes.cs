using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>The role catalog on an ASP.NET Core host, over <see cref="RoleEndpoints"/>; needs <c>read</c>.</summary>
public static class RoleRoutes
{
    public static RouteGroupBuilder MapRoleApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapGet(ApiRoutes.Roles, (RoleEndpoints e) => e.List())
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        return api;
    }
}
