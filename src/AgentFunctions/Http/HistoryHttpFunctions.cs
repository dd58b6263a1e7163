using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary><c>/api/tasks/{id}/history</c> over <see cref="HistoryEndpoints"/>.</summary>
public sealed class HistoryHttpFunctions(HistoryEndpoints endpoints, HttpTriggerRunner http)
{
    [Function("GetTaskHistory")]
    public Task<IActionResult> GetHistoryAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.TaskHistory)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.GetHistoryAsync(request, id, cancellationToken));
}
