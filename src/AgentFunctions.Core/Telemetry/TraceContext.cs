using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace AgentFunctions.Core.Telemetry;

/// <summary>
/// A W3C trace context (<c>traceparent</c> and <c>tracestate</c>) as it is stored with a task and handed to its
/// attempts. Each task keeps the context of the span that started it; an attempt's span id is derived from it, the
/// role and the attempt number, so every engine (a Durable orchestrator included, which must not make up ids) names
/// the same attempt span without storing it. Deterministic: new contexts are made by <see cref="TraceContexts"/>.
/// </summary>
public sealed record TraceContext(string TraceParent, string? TraceState = null)
{
    /// <summary>The longest <c>tracestate</c> kept (the W3C limit is 512 characters).</summary>
    public const int MaxTraceStateLength = 512;

    /// <summary>The 32 hex digits of the trace id.</summary>
    [JsonIgnore]
    public string TraceId => TraceParent.Substring(3, 32);

    /// <summary>The 16 hex digits of the span this context names.</summary>
    [JsonIgnore]
    public string SpanId => TraceParent.Substring(36, 16);

    /// <summary>Whether the upstream asked for the trace to be recorded.</summary>
    [JsonIgnore]
    public bool Sampled => (Convert.ToByte(TraceParent.Substring(53, 2), 16) & 1) == 1;

    /// <summary>Reads a <c>traceparent</c> header value (and its <c>tracestate</c>); null when it is not a valid W3C trace context.</summary>
    public static TraceContext? TryParse(string? traceParent, string? traceState = null)
    {
        if (string.IsNullOrEmpty(traceParent)
            || !ActivityContext.TryParse(traceParent, null, isRemote: true, out var context)
            || context.TraceId == default || context.SpanId == default)
        {
            return null;
        }

        return Of(context, traceState);
    }

    /// <summary>The context of a span (version 00, lower-case hex), with the trace state when it fits.</summary>
    public static TraceContext Of(ActivityContext context, string? traceState = null) =>
        new(Format(context.TraceId, context.SpanId, context.TraceFlags), Keep(traceState ?? context.TraceState));

    /// <summary>
    /// The context of the span of attempt <paramref name="attempt"/> of <paramref name="role"/>: same trace, a span id
    /// that depends only on this context, the role and the number (deterministic, for orchestrator code).
    /// </summary>
    public TraceContext ForAttempt(string role, int attempt) => Derive($"attempt/{role}/{attempt}");

    /// <summary>The context as an <see cref="ActivityContext"/> of a remote parent.</summary>
    public ActivityContext ToActivityContext() =>
        new(ActivityTraceId.CreateFromString(TraceId), ActivitySpanId.CreateFromString(SpanId), Flags, TraceState, isRemote: true);

    internal ActivityTraceFlags Flags => Sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None;

    private TraceContext Derive(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(TraceParent + "/" + name), hash);
        if (hash[..8].IndexOfAnyExcept((byte)0) < 0)
        {
            hash[7] = 1; // an all-zero span id is invalid
        }

        return this with { TraceParent = Format(ActivityTraceId.CreateFromString(TraceId), ActivitySpanId.CreateFromBytes(hash[..8]), Flags) };
    }

    internal static string Format(ActivityTraceId traceId, ActivitySpanId spanId, ActivityTraceFlags flags) =>
        $"00-{traceId.ToHexString()}-{spanId.ToHexString()}-{((flags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";

    private static string? Keep(string? traceState) =>
        string.IsNullOrWhiteSpace(traceState) || traceState.Length > MaxTraceStateLength ? null : traceState;
}
