using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary>The task routes of DESIGN as HTTP triggers; parsing, validation and answers are the API's <see cref="TaskEndpoints"/>.</summary>
public sealed class TaskHttpFunctions(TaskEndpoints endpoints, HttpTriggerRunner http)
{
    [Function("SubmitTask")]
    public Task<IActionResult> SubmitAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.Tasks)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.SubmitAsync(request, cancellationToken));

    [Function("ListTasks")]
    public Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Tasks)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.ListAsync(request, cancellationToken));

    [Function("GetTask")]
    public Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Task)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.GetAsync(request, id, cancellationToken));

    [Function("GetTaskResult")]
    public Task<IActionResult> GetResultAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.TaskResult)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.GetResultAsync(id, cancellationToken));

    [Function("ListTaskArtifacts")]
    public Task<IActionResult> ListArtifactsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.TaskArtifacts)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.GetArtifactAsync(id, null, cancellationToken));

    [Function("GetTaskArtifact")]
    public Task<IActionResult> GetArtifactAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.TaskArtifact)] HttpRequest request,
        string id,
        string path,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.GetArtifactAsync(id, path, cancellationToken));

    [Function("ApproveTask")]
    public Task<IActionResult> ApproveAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.TaskApprove)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.ApproveAsync(request, id, cancellationToken));

    [Function("RejectTask")]
    public Task<IActionResult> RejectAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.TaskReject)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.RejectAsync(request, id, cancellationToken));

    [Function("CancelTask")]
    public Task<IActionResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.TaskCancel)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.CancelAsync(request, id, cancellationToken));
}
