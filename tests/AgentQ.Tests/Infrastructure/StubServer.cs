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

namespace AgentQ.Tests.Infrastructure;

/// <summary>
/// A real Kestrel endpoint on 127.0.0.1 (port chosen by the OS) that answers with whatever the test's
/// handler says, recording every request. Only for HTTP-level behaviour of the CLI; the end-to-end tests
/// run against the real server.
/// </summary>
internal sealed class StubServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>http://127.0.0.1:port (no trailing slash).</summary>
    public string Url { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public IEnumerable<RecordedRequest> RequestsTo(string pathPart) => Requests.Where(r => r.Path.Contains(pathPart, StringComparison.Ordinal));

    public static async Task<StubServer> StartAsync(Func<HttpContext, RecordedRequest, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        StubServer? server = null;
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
        server = new StubServer(app, address.TrimEnd('/'));
        return server;
    }

    /// <summary>Answers every request with one status and body.</summary>
    public static Task<StubServer> AnsweringAsync(int status, string body, string contentType = "application/json") =>
        StartAsync((context, _) => WriteAsync(context, status, body, contentType));

    /// <summary>An RFC 9457 problem answer, as the API writes them.</summary>
    public static string Problem(int status, string title, string detail) =>
        JsonSerializer.Serialize(new { type = "about:blank", title, status, detail });

    public static async Task WriteAsync(HttpContext context, int status, string body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        if (body.Length > 0)
        {
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        }
    }

    public static Task WriteJsonAsync<T>(HttpContext context, int status, T value) =>
        WriteAsync(context, status, JsonSerializer.Serialize(value, CoreJson.Options));

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}
