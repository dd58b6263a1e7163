using AgentFunctions.Standalone.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AgentQ.Tests.Infrastructure;

/// <summary>
/// The real AgentFunctions Standalone server in this process: Kestrel on 127.0.0.1 (a port the OS picks),
/// SQLite and artifact files in a temporary data directory, configured with the same keys an operator uses.
/// </summary>
internal sealed class StandaloneServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _data;

    private StandaloneServer(WebApplication app, TempDirectory data, string url)
    {
        _app = app;
        _data = data;
        Url = url;
    }

    /// <summary>http://127.0.0.1:port (no trailing slash), what AGENTQ_URL gets.</summary>
    public string Url { get; }

    public string DataDirectory => _data.Path;

    public static async Task<StandaloneServer> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var data = new TempDirectory();
        List<string> args =
        [
            "--urls", "http://127.0.0.1:0",
            "--Standalone:DataDirectory", data.Path,
            // Teardown should not wait for leases the test left behind.
            "--Standalone:ShutdownGraceSeconds", "0",
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning",
        ];
        foreach (var (key, value) in settings)
        {
            args.Add("--" + key);
            args.Add(value);
        }

        var app = StandaloneApp.Build([.. args]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new StandaloneServer(app, data, address.TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
