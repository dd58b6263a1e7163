using System.Diagnostics;
using System.Reflection;

namespace AgentFunctions.Core.Telemetry;

/// <summary>
/// The product's <see cref="ActivitySource"/> (and the name its <c>Meter</c> shares), and how its spans are started.
/// Without a listener (no OpenTelemetry exporter configured) every start returns null and costs a check.
/// </summary>
public static class AgentTelemetry
{
    /// <summary>The name of the ActivitySource and of the Meter: what an OpenTelemetry SDK subscribes to.</summary>
    public const string Name = "AgentFunctions";

    // Activity keeps its own span id in this field; setting it before Start gives a span an id chosen beforehand
    // (the Durable Task Framework does the same for its long-running spans). Without the field spans keep random ids.
    private static readonly FieldInfo? SpanIdField = typeof(Activity).GetField("_spanId", BindingFlags.Instance | BindingFlags.NonPublic);

    public static ActivitySource Source { get; } = new(Name, typeof(AgentTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Whether spans can take an id chosen beforehand on this runtime (see <see cref="StartSpan(string, ActivityKind, TraceContext, ActivityContext, DateTimeOffset?)"/>).</summary>
    public static bool CanChooseSpanIds => SpanIdField?.FieldType == typeof(string);

    /// <summary>Starts a span under <paramref name="parent"/> (the current span when default); null when nobody listens.</summary>
    public static Activity? StartSpan(string name, ActivityKind kind = ActivityKind.Internal, ActivityContext parent = default, DateTimeOffset? startTime = null, IEnumerable<ActivityLink>? links = null)
    {
        var activity = Source.CreateActivity(name, kind, parent, tags: null, links: links);
        return Begin(activity, startTime);
    }

    /// <summary>
    /// Starts the span that <paramref name="self"/> names (its span id, chosen beforehand, as an attempt's), under
    /// <paramref name="parent"/>: children made elsewhere with <paramref name="self"/> as their parent join it.
    /// </summary>
    public static Activity? StartSpan(string name, ActivityKind kind, TraceContext self, ActivityContext parent, DateTimeOffset? startTime = null)
    {
        ArgumentNullException.ThrowIfNull(self);
        var activity = Source.CreateActivity(name, kind, parent);
        if (activity is not null && CanChooseSpanIds && activity.TraceId.ToHexString() == self.TraceId)
        {
            SpanIdField!.SetValue(activity, self.SpanId);
        }

        return Begin(activity, startTime);
    }

    /// <summary>Ends a span at <paramref name="endTime"/> (now when null).</summary>
    public static void End(Activity? activity, DateTimeOffset? endTime = null)
    {
        if (activity is null)
        {
            return;
        }

        if (endTime is { } end)
        {
            activity.SetEndTime(end.UtcDateTime);
        }

        activity.Stop();
    }

    /// <summary>Marks a span failed with a short description (the message of a failure, not its details).</summary>
    public static void Fail(Activity? activity, string? description)
    {
        activity?.SetStatus(ActivityStatusCode.Error, description is { Length: > 200 } ? description[..200] : description);
    }

    private static Activity? Begin(Activity? activity, DateTimeOffset? startTime)
    {
        if (activity is null)
        {
            return null;
        }

        if (startTime is { } start)
        {
            activity.SetStartTime(start.UtcDateTime);
        }

        return activity.Start();
    }
}
