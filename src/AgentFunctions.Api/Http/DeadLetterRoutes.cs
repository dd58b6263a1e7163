using AgentFunctions.Api.OpenApi;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Storage;
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
        var api = app.MapGroup("/" + ApiRoutes.Prefix).WithTags("dead letters");
        api.MapGet(ApiRoutes.DeadLetters, (HttpRequest r, DeadLetterEndpoints e, CancellationToken ct) => e.ListAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read))
            .Describe("ListDeadLetters", "List dead letters")
            .Query("taskId", "Only the dead letters of this task.")
            .Query("role", "Only the dead letters of this role.")
            .Query("top", "Page size.", "integer")
            .Query("continuationToken", "The token of the previous page.")
            .Produces<Page<DeadLetterRecord>>()
            .Problems(StatusCodes.Status400BadRequest);
        api.MapGet(ApiRoutes.DeadLetter, (string id, DeadLetterEndpoints e, CancellationToken ct) => e.GetAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read))
            .Describe("GetDeadLetter", "One dead letter: failures, spec, replay links")
            .Produces<DeadLetterRecord>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        api.MapPost(ApiRoutes.DeadLetterReplay, (HttpRequest r, string id, DeadLetterEndpoints e, CancellationToken ct) => e.ReplayAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Submit))
            .Describe("ReplayDeadLetter", "Replay a dead letter as a new task for its role")
            .Produces<ReplayAccepted>(StatusCodes.Status202Accepted)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapDelete(ApiRoutes.DeadLetter, (string id, DeadLetterEndpoints e, CancellationToken ct) => e.DeleteAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Admin))
            .Describe("DeleteDeadLetter", "Delete a dead letter")
            .Produces(StatusCodes.Status204NoContent)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        return api;
    }
}
