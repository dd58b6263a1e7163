using AgentFunctions.Api;
using System.Net;
using AgentFunctions.Api.Http;
using AgentFunctions.Core.Json;
using AgentFunctions.Hosting;
using AgentFunctions.Orchestration;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// The Functions app's engine without the Functions host: its own <c>[Function]</c> orchestrators and activities,
/// unchanged, on the real Durable Task runtime (a durabletask-dotnet worker and client talking gRPC to a
/// <see cref="TaskHubGrpcServer"/> sidecar over the chosen <see cref="DurableBackend"/>), with the app's own service
/// registrations (<see cref="AgentFunctionsServiceCollectionExtensions.AddAgentFunctionsApp(IServiceCollection, IConfiguration)"/>),
/// and the HTTP API of AgentFunctions.Api served by Kestrel on a free 127.0.0.1 port over the app's
/// <c>DurableTaskEngine</c>. Each request runs with the Durable client in <see cref="DurableClientAccessor"/>, as a
/// trigger's <c>[DurableClient]</c> binding puts it there. What it cannot show: the Functions host itself (triggers,
/// bindings, host.json, function keys, its own Durable webhook routes).
/// </summary>
public sealed class FunctionsEngineHost : IAsyncDisposable
{
    private readonly WebApplication _sidecar;
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private FunctionsEngineHost(WebApplication sidecar, WebApplication app, GrpcChannel channel, Uri baseUrl, DurableBackend backend, RecentLog log, HistoryProbe history)
    {
        _sidecar = sidecar;
        _app = app;
        _channel = channel;
        BaseUrl = baseUrl;
        Backend = backend;
        Log = log;
        History = history;
        Client = app.Services.GetRequiredService<DurableTaskClient>();
    }

    /// <summary>The API's base, e.g. http://127.0.0.1:41234/ (routes are under <c>api/</c>).</summary>
    public Uri BaseUrl { get; }

    public DurableBackend Backend { get; }

    /// <summary>The Durable client of the app (what a <c>[DurableClient]</c> binding hands a trigger).</summary>
    public DurableTaskClient Client { get; }

    /// <summary>The app's services: engine, stores, queues, options, as the Functions worker has them.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The last warnings and errors of the sidecar, the worker and the app.</summary>
    public RecentLog Log { get; }

    /// <summary>How much history each orchestration instance replayed.</summary>
    public HistoryProbe History { get; }

    /// <exception cref="TimeoutException">Something did not start within <see cref="FunctionsEngineOptions.StartTimeout"/>.</exception>
    public static async Task<FunctionsEngineHost> StartAsync(FunctionsEngineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StartTimeout);
        var log = new RecentLog { MinimumLevel = options.LogLevel };
        var history = new HistoryProbe();
        WebApplication? sidecar = null;
        WebApplication? app = null;
        GrpcChannel? channel = null;
        try
        {
            sidecar = await StartSidecarAsync(options.Backend, log, history, deadline.Token);
            channel = GrpcChannel.ForAddress(Address(sidecar));
            app = BuildApp(options, channel, log);
            await app.StartAsync(deadline.Token);
            return new FunctionsEngineHost(sidecar, app, channel, new Uri(Address(app) + "/"), options.Backend, log, history);
        }
        catch (Exception ex)
        {
            await StopAsync(app, channel, sidecar);
            if (ex is OperationCanceledException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the Functions engine on the {options.Backend.Name} Durable backend did not start within {options.StartTimeout.TotalSeconds:0} s:{Environment.NewLine}{log}", ex);
            }

            throw;
        }
    }

    /// <summary>
    /// Puts the Durable client in <see cref="DurableClientAccessor"/> for the calling test, as a trigger does for its
    /// invocation. The accessor is an AsyncLocal: call this in the test method itself, not in a helper it awaits.
    /// </summary>
    public IDisposable EnterClient() => Services.GetRequiredService<DurableClientAccessor>().Use(Client);

    public async ValueTask DisposeAsync() => await StopAsync(_app, _channel, _sidecar);

    private static async Task<WebApplication> StartSidecarAsync(DurableBackend backend, RecentLog log, HistoryProbe history, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        ConfigureLogging(builder.Logging, log);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(history);
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<HistoryProbe>());

        using var loggerFactory = LoggerFactory.Create(logging => ConfigureLogging(logging, log));
        var service = await backend.CreateAsync(loggerFactory, cancellationToken);
        builder.Services.AddSingleton(service);
        builder.Services.AddSingleton((IOrchestrationServiceClient)service);
        builder.Services.AddSingleton<HistoryServingGrpcServer>();

        var sidecar = builder.Build();
        sidecar.MapGrpcService<HistoryServingGrpcServer>();

        // Created before the start, so it sees ApplicationStarted and starts its dispatchers once the worker connects.
        _ = sidecar.Services.GetRequiredService<HistoryServingGrpcServer>();
        await sidecar.StartAsync(cancellationToken);
        return sidecar;
    }

    private static WebApplication BuildApp(FunctionsEngineOptions options, GrpcChannel channel, RecentLog log)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(options.Settings);
        ConfigureLogging(builder.Logging, log);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));

        // The app's registrations, exactly as Program.cs makes them (host.json is the one the app ships).
        builder.Services.AddAgentFunctionsApp(builder.Configuration);
        options.ConfigureServices?.Invoke(builder.Services);

        // What the Functions worker does with WorkerOptions.Serializer: one JSON dialect for inputs, outputs, custom
        // status and events, on the worker and on the client alike.
        var converter = new JsonDataConverter(CoreJson.Options);
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(channel);
            worker.Configure(o => o.DataConverter = converter);
            worker.AddTasks(registry => registry.AddFunctions(typeof(AgentTaskOrchestrator).Assembly, converter));
        });
        builder.Services.AddDurableTaskClient(client =>
        {
            client.UseGrpc(channel);
            client.Configure(o => o.DataConverter = converter);
            client.RegisterDirectly();
        });

        var app = builder.Build();
        var clients = app.Services.GetRequiredService<DurableClientAccessor>();
        var client = app.Services.GetRequiredService<DurableTaskClient>();
        app.Use(async (context, next) =>
        {
            // What the app's HttpTriggerRunner does around every HTTP trigger: the invocation's Durable client in
            // scope, and an exception answered with the Standalone server's problem+json, never a bare 500.
            using var scope = clients.Use(client);
            try
            {
                await next(context);
            }
            catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
            {
                await ApiProblems.ForException(exception, context).ExecuteAsync(context);
            }
        });
        app.MapAgentFunctionsApi();
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, RecentLog log)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(log.MinimumLevel);
        logging.AddProvider(log);
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static async Task StopAsync(WebApplication? app, GrpcChannel? channel, WebApplication? sidecar)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (app is not null)
        {
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
        }

        if (channel is not null)
        {
            await channel.ShutdownAsync();
            channel.Dispose();
        }

        if (sidecar is not null)
        {
            await sidecar.StopAsync(timeout.Token);
            await sidecar.DisposeAsync();
        }
    }
}
