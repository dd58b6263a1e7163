using AgentFunctions.Api.Http;
using AgentFunctions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary>The remote worker routes (lease, heartbeat, complete, fail) as HTTP triggers over <see cref="WorkerEndpoints"/>.</summary>
public sealed class WorkerHttpFunctions(WorkerEndpoints endpoints, DurableClientAccessor clients)
{
    [Function("LeaseWork")]
    public async Task<IActionResult> LeaseAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerLease)] HttpRequest request,
        string role,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.LeaseAsync(request, role, cancellationToken));
    }

    [Function("HeartbeatLease")]
    public async Task<IActionResult> HeartbeatAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerHeartbeat)] HttpRequest request,
        string role,
        string leaseId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.HeartbeatAsync(request, role, leaseId, cancellationToken));
    }

    [Function("CompleteLease")]
    public async Task<IActionResult> CompleteAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerComplete)] HttpRequest request,
        string role,
        string leaseId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.CompleteAsync(request, role, leaseId, cancellationToken));
    }

    [Function("ReleaseLease")]
    public async Task<IActionResult> ReleaseAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerRelease)] HttpRequest request,
        string role,
        string leaseId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.ReleaseAsync(role, leaseId, cancellationToken));
    }

    [Function("FailLease")]
    public async Task<IActionResult> FailAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerFail)] HttpRequest request,
        string role,
        string leaseId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.FailAsync(request, role, leaseId, cancellationToken));
    }
}
