using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary>The dead-letter routes of DESIGN as HTTP triggers over <see cref="DeadLetterEndpoints"/>.</summary>
public sealed class DeadLetterHttpFunctions(DeadLetterEndpoints endpoints, HttpTriggerRunner http)
{
    [Function("ListDeadLetters")]
    public Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.DeadLetters)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.ListAsync(request, cancellationToken));

    [Function("GetDeadLetter")]
    public Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.DeadLetter)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.GetAsync(id, cancellationToken));

    [Function("ReplayDeadLetter")]
    public Task<IActionResult> ReplayAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.DeadLetterReplay)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.ReplayAsync(request, id, cancellationToken));

    [Function("DeleteDeadLetter")]
    public Task<IActionResult> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = ApiRoutes.DeadLetter)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.DeleteAsync(id, cancellationToken));
}
