namespace AgentFunctions.Testing.Telemetry;

/// <summary>The spans of one trace (or more), for asserting their names, attributes and parent links.</summary>
public sealed class SpanTree(IReadOnlyList<CollectedSpan> spans)
{
    private readonly Dictionary<string, CollectedSpan> _byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    public IReadOnlyList<CollectedSpan> All { get; } = spans;

    /// <summary>The spans called <paramref name="name"/> that match <paramref name="where"/>.</summary>
    public IReadOnlyList<CollectedSpan> Named(string name, Func<CollectedSpan, bool>? where = null) =>
        All.Where(s => s.Name == name && (where is null || where(s))).ToList();

    /// <summary>The one span called <paramref name="name"/> that matches <paramref name="where"/>; fails listing every span otherwise.</summary>
    public CollectedSpan Single(string name, Func<CollectedSpan, bool>? where = null)
    {
        var found = Named(name, where);
        return found.Count == 1
            ? found[0]
            : throw new InvalidOperationException($"expected one '{name}' span, found {found.Count}; all spans:\n{string.Join("\n", All)}");
    }

    /// <summary>Whether <paramref name="spanId"/> is <paramref name="span"/>'s parent, or an ancestor through spans collected here.</summary>
    public bool Descends(CollectedSpan span, string spanId)
    {
        ArgumentNullException.ThrowIfNull(span);
        var current = span;
        for (var depth = 0; depth < 64 && current.ParentSpanId is { } parent; depth++)
        {
            if (parent == spanId)
            {
                return true;
            }

            if (!_byId.TryGetValue(parent, out current!))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a span named <paramref name="name"/> has arrived with every span between it and <paramref name="ancestorSpanId"/>:
    /// for a wait, since a request's span ends, and is exported, after the span of the work it did.
    /// </summary>
    public static bool HasUnder(IReadOnlyList<CollectedSpan> spans, string name, string ancestorSpanId)
    {
        var tree = new SpanTree(spans);
        return tree.Named(name).Any(span => tree.Descends(span, ancestorSpanId));
    }

    public override string ToString() => string.Join("\n", All);
}
