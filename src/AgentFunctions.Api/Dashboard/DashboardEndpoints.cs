using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Dashboard;

/// <summary>
/// GET /dashboard (the page) and GET /dashboard/{*asset} (its scripts and styles). The page keeps no state on the
/// server: it calls the same JSON API as every client, with the key entered in it.
/// </summary>
public sealed class DashboardEndpoints(DashboardAssets assets)
{
    public IResult Serve(HttpRequest request, string? asset)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(asset))
        {
            // /api/dashboard/ would resolve the page's relative asset URLs one level too deep: send it to /api/dashboard.
            var path = request.Path.Value ?? string.Empty;
            return path.EndsWith('/')
                ? TypedResults.Redirect(request.PathBase + path.TrimEnd('/') + request.QueryString)
                : new DashboardAssetResult(assets.Find(DashboardAssets.IndexName)!);
        }

        return assets.Find(asset) is { } found
            ? new DashboardAssetResult(found)
            : ApiProblems.NotFound($"the dashboard has no file '{Core.Text.Snippet.Of(asset)}'");
    }
}
