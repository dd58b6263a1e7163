using System.Text.Json;
using AgentFunctions.Standalone.Hosting;
using AgentFunctions.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Tests.Hosting;

/// <summary>
/// The two hosts serve the same API: the HTTP functions the Functions host loads (functions.metadata, below the
/// host's route prefix) and the endpoints the real Standalone app maps (its endpoint data source, however the routes
/// are declared) have the same methods and route templates.
/// </summary>
public sealed class HostRouteParityTests
{
    /// <summary>The Durable extension serves these natively in Functions; the Standalone server maps its own.</summary>
    private const string DurableWebhooks = "runtime/webhooks/durabletask/";

    /// <summary>The Standalone server owns its root and sends it to the dashboard; Functions serves only below its route prefix.</summary>
    private const string StandaloneRootRedirect = "GET ";

    [Fact]
    public async Task Functions_and_the_standalone_server_serve_the_same_methods_on_the_same_routes()
    {
        var functions = FunctionsRoutes();
        var standalone = await StandaloneRoutesAsync();

        var onlyFunctions = functions.Except(standalone).Order(StringComparer.Ordinal).ToList();
        var onlyStandalone = standalone.Where(r => !r.Contains(" " + DurableWebhooks, StringComparison.Ordinal) && r != StandaloneRootRedirect).Except(functions).Order(StringComparer.Ordinal).ToList();

        Assert.True(onlyFunctions.Count == 0 && onlyStandalone.Count == 0,
            $"only in Functions: [{string.Join(", ", onlyFunctions)}]; only in Standalone: [{string.Join(", ", onlyStandalone)}]");
        Assert.Contains(standalone, r => r.StartsWith("GET " + DurableWebhooks, StringComparison.Ordinal)); // the exclusions are not vacuous
        Assert.Contains(StandaloneRootRedirect, standalone);
        Assert.True(functions.Count >= FunctionsMetadataTests.DesignRoutes.Count, "fewer HTTP functions than the API has routes");
    }

    /// <summary>"METHOD route" per HTTP function, the route below the host's prefix as the host resolves it.</summary>
    private static HashSet<string> FunctionsRoutes()
    {
        var prefix = RoutePrefix();
        return FunctionsMetadata.Read()
            .Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger")
            .SelectMany(f => f.Methods.Select(m => $"{m} {Join(prefix, f.Route ?? f.Name)}"))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>host.json's <c>extensions.http.routePrefix</c>, "api" when it is not set (the host's default).</summary>
    private static string RoutePrefix()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsMetadata.OutputDirectory, "host.json")));
        return host.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString() ?? string.Empty
            : "api";
    }

    private static async Task<HashSet<string>> StandaloneRoutesAsync()
    {
        var data = Directory.CreateTempSubdirectory("agentfunctions-routes-");
        try
        {
            await using var app = StandaloneApp.Build(["--urls", "http://127.0.0.1:0", "--Standalone:DataDirectory", data.FullName]);
            await app.StartAsync();
            try
            {
                return app.Services.GetRequiredService<EndpointDataSource>().Endpoints
                    .OfType<RouteEndpoint>()
                    .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                        .Select(m => $"{m.ToUpperInvariant()} {e.RoutePattern.RawText!.TrimStart('/')}"))
                    .ToHashSet(StringComparer.Ordinal);
            }
            finally
            {
                await app.StopAsync();
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static string Join(string prefix, string route) => prefix.Length == 0 ? route : prefix.Trim('/') + "/" + route.TrimStart('/');
}
