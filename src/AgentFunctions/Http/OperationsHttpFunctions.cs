using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Http;

/// <summary>
/// <c>/api/health</c> (anonymous, for probes), <c>/api/metrics</c> and <c>/api/openapi.json</c> (anonymous: the API's
/// description, no data; no Durable client, it does not touch the engine) over <see cref="OperationsEndpoints"/>.
/// </summary>
public sealed class OperationsHttpFunctions(OperationsEndpoints endpoints, HttpTriggerRunner http)
{
    [Function("Health")]
    public Task<IActionResult> HealthAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Health)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.HealthAsync(cancellationToken));

    [Function("Metrics")]
    public Task<IActionResult> MetricsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Metrics)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        http.RunAsync(request, client, () => endpoints.MetricsAsync(request, cancellationToken));

    [Function("OpenApiDocument")]
    public Task<IActionResult> OpenApiAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.OpenApiDocument)] HttpRequest request) =>
        http.RunAsync(request, endpoints.OpenApiAsync);
}
