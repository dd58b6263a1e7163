using System.Collections.Concurrent;
using System.Text.Json;
using AgentFunctions.Core.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Testing.Http;

/// <summary>
/// A real Kestrel endpoint on 127.0.0.1 (port chosen by the OS) that records every request, then lets the test's
/// handler answer it. It stands in for what the real product cannot be made to produce on demand: an agent or a
/// chat completions server for the runners, a scripted API for the CLI's protocol corner cases.
/// </summary>
public sealed class RecordingHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingHttpServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:port/ of the running server.</summary>
    public Uri BaseAddress { get; }

    /// <summary>http://127.0.0.1:port (no trailing slash), as a URL setting is written.</summary>
    public string Url => BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>Every request received so far, in arrival order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The requests whose path contains <paramref name="pathPart"/>.</summary>
    public IEnumerable<RecordedRequest> RequestsTo(string pathPart) => Requests.Where(r => r.Path.Contains(pathPart, StringComparison.Ordinal));

    /// <summary><paramref name="relative"/> (a path with an optional query) on this server.</summary>
    public Uri AddressOf(string relative) => new(BaseAddress, relative);

    public static async Task<RecordingHttpServer> StartAsync(Func<HttpContext, RecordedRequest, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        RecordingHttpServer? server = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? string.Empty, headers, body);
            server!.Requests.Enqueue(recorded);
            await handler(context, recorded);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server = new RecordingHttpServer(app, new Uri(address.TrimEnd('/') + "/"));
        return server;
    }

    /// <summary>A server that answers every request with one status and body.</summary>
    public static Task<RecordingHttpServer> AnsweringAsync(int status, string body, string contentType = "application/json") =>
        StartAsync((context, _) => WriteAsync(context, status, body, contentType));

    /// <summary>An RFC 9457 problem answer, as the API writes them.</summary>
    public static string Problem(int status, string title, string detail) =>
        JsonSerializer.Serialize(new { type = "about:blank", title, status, detail });

    /// <summary>Answers with <paramref name="status"/>; an empty <paramref name="body"/> is sent with no content type.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        if (body.Length > 0)
        {
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>Answers with <paramref name="value"/> written as the product writes JSON.</summary>
    public static Task WriteJsonAsync<T>(HttpContext context, int status, T value) =>
        WriteAsync(context, status, JsonSerializer.Serialize(value, CoreJson.Options));

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}
