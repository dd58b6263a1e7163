using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>Maps every route of the API on an ASP.NET Core host (the Standalone server); Functions maps them as triggers.</summary>
public static class ApiEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapAgentFunctionsApi(this IEndpointRouteBuilder app)
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

        api.MapGet(ApiRoutes.DeadLetters, (HttpRequest r, DeadLetterEndpoints e, CancellationToken ct) => e.ListAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        api.MapGet(ApiRoutes.DeadLetter, (string id, DeadLetterEndpoints e, CancellationToken ct) => e.GetAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        api.MapPost(ApiRoutes.DeadLetterReplay, (HttpRequest r, string id, DeadLetterEndpoints e, CancellationToken ct) => e.ReplayAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Submit));
        api.MapDelete(ApiRoutes.DeadLetter, (string id, DeadLetterEndpoints e, CancellationToken ct) => e.DeleteAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Admin));

        api.MapPost(ApiRoutes.WorkerLease, (HttpRequest r, string role, WorkerEndpoints e, CancellationToken ct) => e.LeaseAsync(r, role, ct))
            .WithMetadata(RequiredScope.Worker("role"));
        api.MapPost(ApiRoutes.WorkerHeartbeat, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.HeartbeatAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"));
        api.MapPost(ApiRoutes.WorkerComplete, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.CompleteAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"));
        api.MapPost(ApiRoutes.WorkerFail, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.FailAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"));
        api.MapPost(ApiRoutes.WorkerRelease, (string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.ReleaseAsync(role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"));

        api.MapGet(ApiRoutes.Health, (OperationsEndpoints e, CancellationToken ct) => e.HealthAsync(ct))
            .AllowAnonymous();
        api.MapGet(ApiRoutes.Metrics, (HttpRequest r, OperationsEndpoints e, CancellationToken ct) => e.MetricsAsync(r, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));

        app.MapGet("/" + ApiRoutes.DurableInstance, (HttpRequest r, string id, DurableEndpoints e, CancellationToken ct) => e.GetStatusAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Read));
        app.MapPost("/" + ApiRoutes.DurableRaiseEvent, (HttpRequest r, string id, string eventName, DurableEndpoints e, CancellationToken ct) => e.RaiseEventAsync(r, id, eventName, ct))
            .WithMetadata(RequiredScope.Event("eventName"));
        app.MapPost("/" + ApiRoutes.DurableTerminate, (HttpRequest r, string id, DurableEndpoints e, CancellationToken ct) => e.TerminateAsync(r, id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Cancel));
        app.MapDelete("/" + ApiRoutes.DurableInstance, (string id, DurableEndpoints e, CancellationToken ct) => e.PurgeAsync(id, ct))
            .WithMetadata(RequiredScope.Of(ApiScopes.Admin));

        return app;
    }
}
