using AgentFunctions.Api.Http;
using AgentFunctions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary><c>/api/health</c> (anonymous, for probes) and <c>/api/metrics</c> over <see cref="OperationsEndpoints"/>.</summary>
public sealed class OperationsHttpFunctions(OperationsEndpoints endpoints, DurableClientAccessor clients)
{
    [Function("Health")]
    public async Task<IActionResult> HealthAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Health)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.HealthAsync(cancellationToken));
    }

    [Function("Metrics")]
    public async Task<IActionResult> MetricsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Metrics)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = clients.Use(client);
        return new ApiActionResult(await endpoints.MetricsAsync(request, cancellationToken));
    }
}
