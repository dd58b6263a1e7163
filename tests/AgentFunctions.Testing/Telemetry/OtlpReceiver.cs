using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Testing.Telemetry;

/// <summary>
/// A tiny OTLP/HTTP collector on a free 127.0.0.1 port: it takes the protobuf that an OpenTelemetry SDK posts to
/// <c>/v1/traces</c> and <c>/v1/metrics</c> and keeps the spans and metric points for a test to look at. Point an
/// exporter at it with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> = <see cref="Endpoint"/> and
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> = <c>http/protobuf</c> (<see cref="ExporterSettings"/>).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<CollectedSpan> _spans = [];
    private readonly List<List<CollectedPoint>> _exports = [];
    private readonly Lock _lock = new();

    private OtlpReceiver(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>Where to send OTLP/HTTP, e.g. http://127.0.0.1:41234.</summary>
    public string Endpoint { get; }

    /// <summary>The spans received so far.</summary>
    public IReadOnlyList<CollectedSpan> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>The metric points of the latest export.</summary>
    public IReadOnlyList<CollectedPoint> LatestMetrics
    {
        get
        {
            lock (_lock)
            {
                return _exports.Count == 0 ? [] : [.. _exports[^1]];
            }
        }
    }

    /// <summary>How many metric exports arrived.</summary>
    public int MetricExports
    {
        get
        {
            lock (_lock)
            {
                return _exports.Count;
            }
        }
    }

    /// <summary>
    /// The standard variables that send a server's telemetry here, soon (batches every 100 ms, metrics every 500 ms).
    /// </summary>
    public IReadOnlyDictionary<string, string> ExporterSettings(string serviceName) => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = serviceName,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    public static async Task<OtlpReceiver> StartAsync()
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            var spans = OtlpProtobuf.ReadSpans(await ReadAsync(request));
            lock (receiver._lock)
            {
                receiver._spans.AddRange(spans);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            var points = OtlpProtobuf.ReadPoints(await ReadAsync(request));
            lock (receiver._lock)
            {
                receiver._exports.Add(points);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/logs", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until the spans received satisfy <paramref name="done"/>; throws with what did arrive when time runs out.</summary>
    public Task<IReadOnlyList<CollectedSpan>> WaitForSpansAsync(Func<IReadOnlyList<CollectedSpan>, bool> done, TimeSpan timeout) =>
        SpanWait.UntilAsync(() => Spans, done, timeout);

    /// <summary>Waits for a metric export that arrives after this call (so it measured what happened before it).</summary>
    public async Task<IReadOnlyList<CollectedPoint>> NextMetricsAsync(TimeSpan timeout)
    {
        var seen = MetricExports;
        var deadline = DateTime.UtcNow + timeout;
        while (MetricExports <= seen)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no metric export arrived within {timeout.TotalSeconds:0} s ({seen} before)");
            }

            await Task.Delay(100);
        }

        return LatestMetrics;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
