using AgentFunctions.Api.Http;
using AgentFunctions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary>The dead-letter routes of docs/api.md as HTTP triggers over <see cref="DeadLetterEndpoints"/>.</summary>
public sealed class DeadLetterHttpFunctions(DeadLetterEndpoints endpoints, DurableClientAccessor clients)
{
    [Function("ListDeadLetters")]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.DeadLetters)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.ListAsync(request, cancellationToken));
    }

    [Function("GetDeadLetter")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.DeadLetter)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.GetAsync(id, cancellationToken));
    }

    [Function("ReplayDeadLetter")]
    public async Task<IActionResult> ReplayAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.DeadLetterReplay)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.ReplayAsync(request, id, cancellationToken));
    }

    [Function("DeleteDeadLetter")]
    public async Task<IActionResult> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = ApiRoutes.DeadLetter)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.DeleteAsync(id, cancellationToken));
    }
}
