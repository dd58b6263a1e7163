using AgentFunctions.Api.Http;
using AgentFunctions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary>The task routes of docs/api.md as HTTP triggers; parsing, validation and answers are the API's <see cref="TaskEndpoints"/>.</summary>
public sealed class TaskHttpFunctions(TaskEndpoints endpoints, DurableClientAccessor clients)
{
    [Function("SubmitTask")]
    public async Task<IActionResult> SubmitAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.Tasks)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.SubmitAsync(request, cancellationToken));
    }

    [Function("ListTasks")]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Tasks)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.ListAsync(request, cancellationToken));
    }

    [Function("GetTask")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Task)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.GetAsync(request, id, cancellationToken));
    }

    [Function("GetTaskResult")]
    public async Task<IActionResult> GetResultAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.TaskResult)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.GetResultAsync(id, cancellationToken));
    }

    [Function("ListTaskArtifacts")]
    public async Task<IActionResult> ListArtifactsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.TaskArtifacts)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.GetArtifactAsync(id, null, cancellationToken));
    }

    [Function("GetTaskArtifact")]
    public async Task<IActionResult> GetArtifactAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.TaskArtifact)] HttpRequest request,
        string id,
        string path,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.GetArtifactAsync(id, path, cancellationToken));
    }

    [Function("ApproveTask")]
    public async Task<IActionResult> ApproveAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.TaskApprove)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.ApproveAsync(request, id, cancellationToken));
    }

    [Function("RejectTask")]
    public async Task<IActionResult> RejectAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.TaskReject)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.RejectAsync(request, id, cancellationToken));
    }

    [Function("CancelTask")]
    public async Task<IActionResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.TaskCancel)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.CancelAsync(request, id, cancellationToken));
    }
}
