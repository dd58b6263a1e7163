using AgentFunctions.Api;
using AgentFunctions.Api.Dashboard;
using AgentFunctions.Api.Http;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Json;
using AgentFunctions.Standalone.Auth;
using AgentFunctions.Standalone.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>Builds the Standalone server: configuration checked, engine and API wired, loopback by default.</summary>
public static class StandaloneApp
{
    /// <summary>
    /// Throws <see cref="InvalidConfigurationException"/> naming every bad key, and
    /// <see cref="Storage.DataDirectoryException"/> when the data directory cannot be used as it is.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // SQLite reads and some runners block pool threads briefly; with the pool's default floor (one thread
        // per core) a burst of them waits for the pool to grow, which shows up as 100 ms latency spikes.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), completionPorts);

        // appsettings.json ships next to the binary; the data directory stays relative to where the server is started.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var urls = builder.Configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls))
        {
            urls = ListenAddresses.Default;
            builder.WebHost.UseUrls(urls);
        }

        var settings = builder.Services.AddStandaloneEngine(builder.Configuration);
        // Kestrel:Endpoints:<name>:Url binds too (and wins over urls): both must stay on loopback without keys.
        var endpoints = builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(endpoint => endpoint["Url"]).OfType<string>();
        ListenAddresses.RequireLoopbackWithoutKeys(string.Join(';', endpoints.Prepend(urls)), settings.Keys.Enabled);
        var (limits, standalone) = (settings.Limits, settings.Standalone);
        var opened = DataDirectoryGuard.Open(standalone);
        var directoryLock = opened.Lock;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The API enforces its own, tighter limits per route with problem+json answers.
            kestrel.Limits.MaxRequestBodySize = limits.MaxAnyBodyBytes;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = standalone.ShutdownGrace + TimeSpan.FromSeconds(15));
        builder.Services.ConfigureHttpJsonOptions(json => CoreJson.Configure(json.SerializerOptions));
        builder.Services.AddProblemDetails();

        // OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set; nothing at all otherwise.
        builder.Services.AddAgentFunctionsTelemetry(builder.Configuration, "agentfunctions-standalone");

        // A failed start (a port in use) is thrown out of RunAsync, where Program reports it in one line;
        // the host's own log entry for it would only repeat it with a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        WebApplication app;
        try
        {
            app = builder.Build();
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }

        app.Lifetime.ApplicationStopped.Register(directoryLock.Dispose);
        if (opened.IntegrityCheckTime is { } checkTime)
        {
            app.Logger.DatabaseChecked(standalone.DatabasePath, checkTime.TotalMilliseconds);
        }
        else
        {
            app.Logger.DatabaseOpenedWithoutQuickCheck(standalone.DatabasePath);
        }
        if (opened.ScratchFoldersRemoved > 0)
        {
            app.Logger.ScratchFoldersRemoved(opened.ScratchFoldersRemoved, standalone.TemporaryPath);
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            // Answers routing produced without a body (unknown route, wrong method) become problem+json too.
            var http = context.HttpContext;
            var detail = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => $"there is no route {http.Request.Method} {http.Request.Path}",
                StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}",
                _ => $"the request failed with status {http.Response.StatusCode}",
            };
            await ApiProblems.Problem(http.Response.StatusCode, ReasonPhrases.GetReasonPhrase(http.Response.StatusCode), detail).ExecuteAsync(http);
        });
        app.Use((context, next) =>
        {
            // HEAD is GET without the body (RFC 9110): every GET route answers it. Kestrel keeps the request's
            // original method for the response, so it sends the GET's headers and drops the body.
            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Request.Method = HttpMethods.Get;
            }

            return next(context);
        });
        app.UseRouting();
        app.UseMiddleware<ApiKeyMiddleware>();
        // After the key check, so a caller without one holds no memory.
        app.UseMiddleware<BodyBudgetMiddleware>();
        app.MapAgentFunctionsApi();
        app.MapDashboardRedirect();
        return app;
    }
}
