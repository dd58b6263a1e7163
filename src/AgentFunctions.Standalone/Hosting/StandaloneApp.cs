using AgentFunctions.Api.Http;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using AgentFunctions.Standalone.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>Builds the Standalone server: configuration checked, engine and API wired, loopback by default.</summary>
public static class StandaloneApp
{
    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming every bad key.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json ships next to the binary; the data directory stays relative to where the server is started.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var urls = builder.Configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls))
        {
            urls = ListenAddresses.Default;
            builder.WebHost.UseUrls(urls);
        }

        builder.Services.AddStandaloneEngine(builder.Configuration);
        ListenAddresses.RequireLoopbackWithoutKeys(urls, ApiKeyOptions.Load(builder.Configuration).Enabled);

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
        return app;
    }
}
