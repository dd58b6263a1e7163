using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>The dead-letter routes on an ASP.NET Core host, over <see cref="DeadLetterEndpoints"/>.</summary>
public static class DeadLetterRoutes
{
    public static RouteGroupBuilder MapDeadLetterApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapGet(ApiRoutes.DeadLetters, (HttpRequest r, DeadLetterEndpoints e, CancellationToken ct) => e.ListAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        api.MapGet(ApiRoutes.DeadLetter, (string id, DeadLetterEndpoints e, CancellationToken ct) => e.GetAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        api.MapPost(ApiRoutes.DeadLetterReplay, (HttpRequest r, string id, DeadLetterEndpoints e, CancellationToken ct) => e.ReplayAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Submit));
        api.MapDelete(ApiRoutes.DeadLetter, (string id, DeadLetterEndpoints e, CancellationToken ct) => e.DeleteAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Admin));
        return api;
    }
}
