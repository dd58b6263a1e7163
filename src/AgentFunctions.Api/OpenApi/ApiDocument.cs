using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;

namespace AgentFunctions.Api.OpenApi;

/// <summary>
/// The OpenAPI document of the HTTP API, generated once per process from the route maps both hosts use
/// (<see cref="ApiEndpointRouteBuilderExtensions.MapAgentFunctionsApi"/>) on a web application that is built but never
/// started, so the Functions app, which has no ASP.NET Core endpoints of its own, serves the same document.
/// </summary>
public sealed class ApiDocument
{
    public const string DocumentName = "v1";

    private readonly Lazy<Task<string>> _json = new(BuildAsync);

    /// <summary>The document as OpenAPI 3.1 JSON.</summary>
    public Task<string> GetJsonAsync() => _json.Value;

    private static async Task<string> BuildAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(ApiDocument).Assembly.GetName().Name });
        builder.Logging.ClearProviders();

        // The endpoint groups are services (so the generator does not take them for bodies); nothing is resolved.
        builder.Services.AddAgentFunctionsApi();
        builder.Services.ConfigureHttpJsonOptions(RouteDocs.UseContractJson);
        builder.Services.AddOpenApi(DocumentName, ApiDocumentTransformers.Configure);
        await using var app = builder.Build();
        app.UseRouting();
        var api = app.MapGroup(string.Empty);
        api.MapAgentFunctionsApi();
        // Finally: after each endpoint's own conventions, which add the body's metadata.
        ((IEndpointConventionBuilder)api).Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<RequestBodyDoc>().FirstOrDefault() is { } body)
            {
                endpoint.Metadata.Add(new AcceptsMetadata([RouteDocs.Json], body.Type, body.Optional));
            }
        });
        app.UseEndpoints(_ => { });

        var document = await app.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName).GetOpenApiDocumentAsync();
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        document.SerializeAsV31(new OpenApiJsonWriter(text));
        return text.ToString();
    }
}
