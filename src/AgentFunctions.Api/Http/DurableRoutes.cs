using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>
/// The Durable Functions HTTP API routes (outside <c>/api</c>, where Functions serves them natively) on an ASP.NET
/// Core host, over <see cref="DurableEndpoints"/>.
/// </summary>
public static class DurableRoutes
{
    public static RouteGroupBuilder MapDurableApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var durable = app.MapGroup("/");
        durable.MapGet(ApiRoutes.DurableInstance, (HttpRequest r, string id, DurableEndpoints e, CancellationToken ct) => e.GetStatusAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        durable.MapPost(ApiRoutes.DurableRaiseEvent, (HttpRequest r, string id, string eventName, DurableEndpoints e, CancellationToken ct) => e.RaiseEventAsync(r, id, eventName, ct))
            .WithMetadata(RequiredScope.Event("eventName"));
        durable.MapPost(ApiRoutes.DurableTerminate, (HttpRequest r, string id, DurableEndpoints e, CancellationToken ct) => e.TerminateAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Cancel));
        durable.MapDelete(ApiRoutes.DurableInstance, (string id, DurableEndpoints e, CancellationToken ct) => e.PurgeAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Admin));
        return durable;
    }
}
