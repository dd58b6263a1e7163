using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AgentFunctions.Http;

/// <summary><c>/api/whoami</c> over <see cref="AccessEndpoints"/>: the host checked the function key, which may call every route. No Durable client: it does not touch the engine.</summary>
public sealed class AccessHttpFunctions(AccessEndpoints endpoints, HttpTriggerRunner http)
{
    [Function("WhoAmI")]
    public Task<IActionResult> WhoAmIAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.WhoAmI)] HttpRequest request) =>
        http.RunAsync(request, () => Task.FromResult(endpoints.WhoAmI(request.HttpContext)));
}
