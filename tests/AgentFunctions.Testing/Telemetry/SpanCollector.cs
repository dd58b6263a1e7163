using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace AgentFunctions.Testing.Telemetry;

/// <summary>
/// An in-process collector: an <see cref="ActivityListener"/> that records every span of the named sources (all of
/// them when none is named) as it ends, as an OpenTelemetry SDK in the same process would see it.
/// </summary>
public sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<CollectedSpan> _spans = new();

    public SpanCollector(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Length == 0 || sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _spans.Enqueue(new CollectedSpan(
                activity.Source.Name,
                activity.DisplayName,
                activity.Kind.ToString().ToLowerInvariant(),
                activity.TraceId.ToHexString(),
                activity.SpanId.ToHexString(),
                activity.ParentSpanId == default ? null : activity.ParentSpanId.ToHexString(),
                activity.StartTimeUtc,
                activity.StartTimeUtc + activity.Duration,
                activity.TagObjects.ToDictionary(t => t.Key, t => Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal),
                activity.Links.Select(l => (l.Context.TraceId.ToHexString(), l.Context.SpanId.ToHexString())).ToList(),
                activity.Status == ActivityStatusCode.Error)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<CollectedSpan> Spans => [.. _spans];

    /// <summary>Waits until the spans satisfy <paramref name="done"/>; throws with what was collected when time runs out.</summary>
    public Task<IReadOnlyList<CollectedSpan>> WaitForAsync(Func<IReadOnlyList<CollectedSpan>, bool> done, TimeSpan timeout) =>
        SpanWait.UntilAsync(() => Spans, done, timeout);

    public void Dispose() => _listener.Dispose();
}
