using System.Diagnostics.Metrics;
using System.Globalization;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Api.Telemetry;

/// <summary>
/// The figures of <c>/api/metrics</c> (<see cref="MetricFigures"/>) as observable instruments of the product's Meter:
/// what an OpenTelemetry exporter collects and what the Prometheus text is rendered from (<see cref="Read"/>), both
/// measured on the engine's snapshot, the one <c>/api/metrics</c> answers with as JSON. An engine that has a snapshot
/// at hand without I/O (the Standalone server) is asked each time (at most once a second); one that must query
/// storage with a client it only has during a request (the Functions app) is measured on the latest snapshot it
/// published, no older than <see cref="MaxAge"/>.
/// </summary>
public sealed class EngineInstruments
{
    /// <summary>A snapshot this recent is measured again rather than asked for anew.</summary>
    public static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);

    /// <summary>A published snapshot older than this is not measured: the figures would mislead.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    // The snapshot a Read measures, for the callbacks it runs on its own thread.
    [ThreadStatic]
    private static MetricsSnapshot? _reading;

    private readonly IEngineMonitor _monitor;
    private readonly TimeProvider _time;
    private readonly Meter _meter;
    private readonly List<(MetricFigure Figure, ObservableInstrument<double> Instrument)> _instruments = [];
    private readonly Lock _read = new();
    private MetricsSnapshot? _latest;
    private int _refreshing;

    public EngineInstruments(IMeterFactory meters, IEngineMonitor monitor, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _monitor = monitor;
        _time = time;
        _meter = meters.Create(AgentTelemetry.Name);
        foreach (var figure in MetricFigures.All)
        {
            _instruments.Add((figure, figure.Register(_meter, Current)));
        }
    }

    /// <summary>Whether a listener (an OpenTelemetry exporter) collects the figures.</summary>
    public bool Observed => _instruments.Exists(i => i.Instrument.Enabled);

    /// <summary>Makes <paramref name="snapshot"/> the one the instruments measure until a newer one comes.</summary>
    public void Publish(MetricsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var latest = Volatile.Read(ref _latest);
        if (latest is null || snapshot.GeneratedAt >= latest.GeneratedAt)
        {
            Volatile.Write(ref _latest, snapshot);
        }
    }

    /// <summary>Publishes <paramref name="snapshot"/> and reads every figure's instrument on it, in the order of <see cref="MetricFigures.All"/>.</summary>
    public IReadOnlyList<FigureReading> Read(MetricsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Publish(snapshot);
        var samples = _instruments.ToDictionary(i => (Instrument)i.Instrument, _ => new List<(double, IReadOnlyList<KeyValuePair<string, string>>)>());
        lock (_read)
        {
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (samples.ContainsKey(instrument))
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
                samples[instrument].Add((value, tags.ToArray().Select(t => KeyValuePair.Create(t.Key, Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? string.Empty)).ToList())));
            _reading = snapshot;
            try
            {
                listener.Start();
                listener.RecordObservableInstruments();
            }
            finally
            {
                _reading = null;
            }
        }

        return _instruments.Select(i => new FigureReading(i.Figure, samples[i.Instrument])).ToList();
    }

    /// <summary>The snapshot an instrument's callback measures (null: no measurements).</summary>
    private MetricsSnapshot? Current()
    {
        if (_reading is { } reading)
        {
            return reading;
        }

        var now = _time.GetUtcNow();
        var latest = Volatile.Read(ref _latest);
        if (latest is not null && now - latest.GeneratedAt < Reuse)
        {
            return latest;
        }

        Task<MetricsSnapshot> asked;
        try
        {
            asked = _monitor.GetMetricsAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            asked = Task.FromException<MetricsSnapshot>(new InvalidOperationException("the engine cannot be asked now"));
        }

        if (asked.IsCompletedSuccessfully)
        {
            Publish(asked.Result);
            return asked.Result;
        }

        // Not at hand: measure the latest (refreshed in the background when the engine can answer at all).
        if (!asked.IsCompleted && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = asked.ContinueWith(
                done =>
                {
                    if (done.IsCompletedSuccessfully)
                    {
                        Publish(done.Result);
                    }

                    Volatile.Write(ref _refreshing, 0);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        else
        {
            _ = asked.Exception; // observed: an engine that cannot answer outside a request says so this way
        }

        return latest is not null && now - latest.GeneratedAt <= MaxAge ? latest : null;
    }
}
