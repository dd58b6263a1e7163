using AgentFunctions.Api.OpenApi;
using AgentFunctions.Core.Contracts;
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
        var durable = app.MapGroup("/").WithTags("durable");
        durable.MapGet(ApiRoutes.DurableInstance, (HttpRequest r, string id, DurableEndpoints e, CancellationToken ct) => e.GetStatusAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read))
            .Describe("GetInstanceStatus", "Durable instance status: 202 while the task runs, 200 completed, 400 failed, rejected, expired or canceled")
            .Query("showInput", "false leaves the input (the spec) out.")
            .Produces<DurableInstanceStatus>()
            .Produces<DurableInstanceStatus>(StatusCodes.Status202Accepted)
            .Produces<DurableInstanceStatus>(StatusCodes.Status400BadRequest)
            .Problems(StatusCodes.Status404NotFound);
        durable.MapPost(ApiRoutes.DurableRaiseEvent, (HttpRequest r, string id, string eventName, DurableEndpoints e, CancellationToken ct) => e.RaiseEventAsync(r, id, eventName, ct))
            .WithMetadata(RequiredScope.Event("eventName"))
            .Describe("RaiseInstanceEvent", "Raise approval { decision, by, note, role? } or cancel { by, reason }; other names are accepted and have no effect")
            .Body<DurableEventRequest>(optional: true)
            .Produces(StatusCodes.Status202Accepted)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        durable.MapPost(ApiRoutes.DurableTerminate, (HttpRequest r, string id, DurableEndpoints e, CancellationToken ct) => e.TerminateAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Cancel))
            .Describe("TerminateInstance", "Cancel the task")
            .Query("reason", "Why.")
            .Produces(StatusCodes.Status202Accepted)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        durable.MapDelete(ApiRoutes.DurableInstance, (string id, DurableEndpoints e, CancellationToken ct) => e.PurgeAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Admin))
            .Describe("PurgeInstance", "Purge a finished task (409 while it runs)")
            .Produces<PurgeResult>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        return durable;
    }
}
