using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>The task routes on an ASP.NET Core host (the Standalone server), over <see cref="TaskEndpoints"/>; the Functions app declares the same routes as triggers.</summary>
public static class TaskRoutes
{
    public static RouteGroupBuilder MapTaskApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapPost(ApiRoutes.Tasks, (HttpRequest r, TaskEndpoints e, CancellationToken ct) => e.SubmitAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Submit));
        api.MapGet(ApiRoutes.Tasks, (HttpRequest r, TaskEndpoints e, CancellationToken ct) => e.ListAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        api.MapGet(ApiRoutes.Task, (HttpRequest r, string id, TaskEndpoints e, CancellationToken ct) => e.GetAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        api.MapGet(ApiRoutes.TaskResult, (string id, TaskEndpoints e, CancellationToken ct) => e.GetResultAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        api.MapGet(ApiRoutes.TaskArtifacts, (string id, TaskEndpoints e, CancellationToken ct) => e.GetArtifactAsync(id, null, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        api.MapGet(ApiRoutes.TaskArtifact, (string id, string? path, TaskEndpoints e, CancellationToken ct) => e.GetArtifactAsync(id, path, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        api.MapPost(ApiRoutes.TaskApprove, (HttpRequest r, string id, TaskEndpoints e, CancellationToken ct) => e.ApproveAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Approve));
        api.MapPost(ApiRoutes.TaskReject, (HttpRequest r, string id, TaskEndpoints e, CancellationToken ct) => e.RejectAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Approve));
        api.MapPost(ApiRoutes.TaskCancel, (HttpRequest r, string id, TaskEndpoints e, CancellationToken ct) => e.CancelAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Cancel));
        return api;
    }
}
