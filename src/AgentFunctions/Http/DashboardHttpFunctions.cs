using AgentFunctions.Api.Dashboard;
using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AgentFunctions.Http;

/// <summary>
/// The web console and its files over <see cref="DashboardEndpoints"/>, the same embedded assets the Standalone server
/// serves. Anonymous: a browser sends no key when it opens a page, and the page holds no data; every API call it makes
/// carries the function key entered in it. No Durable client: the files do not touch the engine.
/// </summary>
public sealed class DashboardHttpFunctions(DashboardEndpoints endpoints, HttpTriggerRunner http)
{
    [Function("Dashboard")]
    public Task<IActionResult> PageAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Dashboard)] HttpRequest request) =>
        http.RunAsync(request, () => Task.FromResult(endpoints.Serve(request, null)));

    [Function("DashboardAsset")]
    public Task<IActionResult> AssetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.DashboardAsset)] HttpRequest request,
        string? asset) =>
        http.RunAsync(request, () => Task.FromResult(endpoints.Serve(request, asset)));
}
