namespace AgentFunctions.Testing.Telemetry;

/// <summary>Polls a source of spans (OTLP export received, or an in-process listener) until they satisfy a condition.</summary>
internal static class SpanWait
{
    /// <summary>Waits until <paramref name="spans"/> satisfy <paramref name="done"/>; throws with what did arrive when time runs out.</summary>
    public static async Task<IReadOnlyList<CollectedSpan>> UntilAsync(Func<IReadOnlyList<CollectedSpan>> spans, Func<IReadOnlyList<CollectedSpan>, bool> done, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var current = spans();
            if (done(current))
            {
                return current;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the spans did not arrive within {timeout.TotalSeconds:0} s; received {current.Count}:\n" + string.Join("\n", current));
            }

            await Task.Delay(100);
        }
    }
}
