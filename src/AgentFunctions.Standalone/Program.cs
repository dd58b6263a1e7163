using AgentFunctions.Api.Http;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Standalone;
using AgentFunctions.Standalone.Auth;
using AgentFunctions.Standalone.Hosting;
using Microsoft.AspNetCore.Http;

// appsettings.json ships next to the binary; the data directory stays relative to where the server is started.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var urls = builder.Configuration["urls"];
if (string.IsNullOrWhiteSpace(urls))
{
    urls = ListenAddresses.Default;
    builder.WebHost.UseUrls(urls);
}

try
{
    builder.Services.AddStandaloneEngine(builder.Configuration);
    ListenAddresses.RequireLoopbackWithoutKeys(urls, ApiKeyOptions.Load(builder.Configuration).Enabled);
}
catch (InvalidConfigurationException ex)
{
    // A clear message and a non-zero exit, not a stack trace: the operator fixes the named keys.
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}

var limits = CoreConfiguration.LoadLimits(builder.Configuration);
var standalone = StandaloneOptions.Load(builder.Configuration);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    // The API enforces its own, tighter limits per route with problem+json answers.
    kestrel.Limits.MaxRequestBodySize = Math.Max((limits.MaxRequestBytes * 2) + 1024, (limits.MaxArtifactBytes * 4) + (1024 * 1024));
});
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = standalone.ShutdownGrace + TimeSpan.FromSeconds(15));
builder.Services.ConfigureHttpJsonOptions(json => CoreJson.Configure(json.SerializerOptions));
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRouting();
app.UseMiddleware<ApiKeyMiddleware>();
app.MapAgentFunctionsApi();
app.MapFallback((HttpContext context) => ApiProblems.NotFound($"there is no route {context.Request.Method} {context.Request.Path}"));

await app.RunAsync();
return 0;

/// <summary>Entry point type, visible to tests that host the server in-process.</summary>
public partial class Program;
