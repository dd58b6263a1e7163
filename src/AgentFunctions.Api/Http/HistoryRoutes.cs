using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>The task history route on an ASP.NET Core host, over <see cref="HistoryEndpoints"/>.</summary>
public static class HistoryRoutes
{
    public static RouteGroupBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapGet(ApiRoutes.TaskHistory, (HttpRequest r, string id, HistoryEndpoints e, CancellationToken ct) => e.GetHistoryAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        return api;
    }
}
