using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api.Http;

/// <summary>The remote worker routes on an ASP.NET Core host, over <see cref="WorkerEndpoints"/>; each needs <c>worker:&lt;role&gt;</c> for its role.</summary>
public static class WorkerRoutes
{
    public static RouteGroupBuilder MapWorkerApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapPost(ApiRoutes.WorkerLease, (HttpRequest r, string role, WorkerEndpoints e, CancellationToken ct) => e.LeaseAsync(r, role, ct))
            .WithMetadata(RequiredScope.Worker("role"));
        api.MapPost(ApiRoutes.WorkerHeartbeat, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.HeartbeatAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"));
        api.MapPost(ApiRoutes.WorkerComplete, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.CompleteAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"));
        api.MapPost(ApiRoutes.WorkerFail, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.FailAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"));
        api.MapPost(ApiRoutes.WorkerRelease, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.ReleaseAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"));
        return api;
    }
}
