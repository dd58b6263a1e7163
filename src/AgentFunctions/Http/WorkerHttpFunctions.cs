using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary>The remote worker routes (lease, heartbeat, complete, fail) as HTTP triggers over <see cref="WorkerEndpoints"/>.</summary>
public sealed class WorkerHttpFunctions(WorkerEndpoints endpoints, HttpTriggerRunner http)
{
    [Function("LeaseWork")]
    public Task<IActionResult> LeaseAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerLease)] HttpRequest request,
        string role,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.LeaseAsync(request, role, cancellationToken));

    [Function("HeartbeatLease")]
    public Task<IActionResult> HeartbeatAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerHeartbeat)] HttpRequest request,
        string role,
        string leaseId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.HeartbeatAsync(request, role, leaseId, cancellationToken));

    [Function("CompleteLease")]
    public Task<IActionResult> CompleteAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerComplete)] HttpRequest request,
        string role,
        string leaseId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.CompleteAsync(request, role, leaseId, cancellationToken));

    [Function("ReleaseLease")]
    public Task<IActionResult> ReleaseAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerRelease)] HttpRequest request,
        string role,
        string leaseId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.ReleaseAsync(request, role, leaseId, cancellationToken));

    [Function("FailLease")]
    public Task<IActionResult> FailAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.WorkerFail)] HttpRequest request,
        string role,
        string leaseId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.FailAsync(request, role, leaseId, cancellationToken));
}
