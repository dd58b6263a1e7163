using AgentFunctions.Api.OpenApi;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Runners;
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
        var api = app.MapGroup("/" + ApiRoutes.Prefix).WithTags("workers");
        api.MapPost(ApiRoutes.WorkerLease, (HttpRequest r, string role, WorkerEndpoints e, CancellationToken ct) => e.LeaseAsync(r, role, ct))
            .WithMetadata(RequiredScope.Worker("role"))
            .Describe("LeaseAttempt", "Lease the next attempt of a remote role (long poll up to wait seconds); 204 when none came")
            .Query("wait", $"Seconds to wait for an attempt, 0 to {WorkerEndpoints.MaxWaitSeconds}.", "integer")
            .Query("leaseSeconds", "A shorter lease than the role's.", "integer")
            .Query("workerId", "Who leases (shown in metrics).")
            .Body<LeaseRequest>(optional: true)
            .Produces<LeaseGrant>()
            .Produces(StatusCodes.Status204NoContent)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        api.MapPost(ApiRoutes.WorkerHeartbeat, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.HeartbeatAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"))
            .Describe("HeartbeatLease", "Extend a lease, report progress; says whether the task was canceled")
            .Body<HeartbeatRequest>(optional: true)
            .Produces<HeartbeatResponse>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        api.MapPost(ApiRoutes.WorkerComplete, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.CompleteAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"))
            .Describe("CompleteLease", "Hand in the attempt's result")
            .Body<AgentResult>()
            .Produces<ResultAccepted>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        api.MapPost(ApiRoutes.WorkerFail, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.FailAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"))
            .Describe("FailLease", "Report that the attempt failed (permanent: do not retry)")
            .Body<FailRequest>(optional: true)
            .Produces<ResultAccepted>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        api.MapPost(ApiRoutes.WorkerRelease, (HttpRequest r, string role, string leaseId, WorkerEndpoints e, CancellationToken ct) => e.ReleaseAsync(r, role, leaseId, ct))
            .WithMetadata(RequiredScope.Worker("role"))
            .Describe("ReleaseLease", "Give the attempt back untouched; it is offered again under the same number")
            .Produces<LeaseReleased>()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        return api;
    }
}
