using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary><c>/api/roles</c> as an HTTP trigger over <see cref="RoleEndpoints"/>.</summary>
public sealed class RoleHttpFunctions(RoleEndpoints endpoints, HttpTriggerRunner http)
{
    [Function("ListRoles")]
    public Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Roles)] HttpRequest request,
        [DurableClient] DurableTaskClient client) =>
        http.RunAsync(request, client, () => Task.FromResult(endpoints.List()));
}
