using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Core.Tests.Runners;

/// <summary>
/// A real Kestrel endpoint on 127.0.0.1 (port chosen by the OS) standing in for an agent or a chat
/// completions server. Records every request, then lets the test's handler answer it.
/// </summary>
internal sealed class TestAgentServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestAgentServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:port/ of the running server.</summary>
    public Uri BaseAddress { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public RecordedRequest SingleRequest => Assert.Single(Requests);

    public Uri Url(string relative) => new(BaseAddress, relative);

    public static async Task<TestAgentServer> StartAsync(Func<HttpContext, RecordedRequest, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        TestAgentServer? server = null;
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
        server = new TestAgentServer(app, new Uri(address.TrimEnd('/') + "/"));
        return server;
    }

    /// <summary>A server that answers every request with <paramref name="status"/> and <paramref name="body"/>.</summary>
    public static Task<TestAgentServer> AnsweringAsync(int status, string body, string contentType = "application/json") =>
        StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        });

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}
