namespace AgentFunctions.Core.Resilience;

/// <summary>
/// The rules of a role's circuit breaker as pure functions over <see cref="CircuitState"/> (no clock, no I/O): both
/// engines keep the state and ask <see cref="Admit"/> before an attempt starts and <see cref="Record"/> after it ends.
/// Closed: attempts run; when within the sampling window at least <see cref="CircuitBreakerOptions.MinimumThroughput"/>
/// attempts ended and at least <see cref="CircuitBreakerOptions.FailureRatio"/> of them failed, it opens. Open: new
/// attempts are held for the break. Then half-open: one attempt runs as the probe; others stay held. The probe's
/// success closes the breaker (and empties the window), its failure opens it for another break. Permanent failures
/// are not counted; a probe that ends that way frees the probe slot for the next attempt.
/// </summary>
public static class CircuitBreaker
{
    /// <summary>The sampling window is kept in this many slices.</summary>
    public const int Buckets = 10;

    /// <summary>
    /// Whether an attempt may start at <paramref name="now"/>. <paramref name="probeTimeout"/> bounds how long a probe
    /// holds the half-open slot: a probe never heard of again (its runner crashed) is replaced after it.
    /// </summary>
    public static CircuitAdmission Admit(CircuitState state, CircuitBreakerOptions options, DateTimeOffset now, TimeSpan probeTimeout)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled || state.Status == CircuitStatus.Closed)
        {
            return new CircuitAdmission(CircuitVerdict.Admitted, state, null);
        }

        if (state.Status == CircuitStatus.Open)
        {
            var until = state.OpenUntil ?? now;
            if (now < until)
            {
                return new CircuitAdmission(CircuitVerdict.Held, state, until);
            }

            var halfOpen = state with { Status = CircuitStatus.HalfOpen, OpenUntil = null, ProbeStartedAt = now, ChangedAt = now };
            return new CircuitAdmission(CircuitVerdict.Probe, halfOpen, null);
        }

        if (state.ProbeStartedAt is { } started && now - started < probeTimeout)
        {
            // Ask again when the probe should long be over, or after a break, whichever comes first.
            var again = Min(started + probeTimeout, now + options.BreakDuration);
            return new CircuitAdmission(CircuitVerdict.Held, state, again);
        }

        return new CircuitAdmission(CircuitVerdict.Probe, state with { ProbeStartedAt = now }, null);
    }

    /// <summary>Records how an attempt ended; <paramref name="probe"/> says it was the half-open breaker's probe.</summary>
    public static CircuitChange Record(CircuitState state, CircuitBreakerOptions options, DateTimeOffset now, CircuitOutcome outcome, bool probe)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (outcome == CircuitOutcome.Ignored)
        {
            return new CircuitChange(probe && state.Status == CircuitStatus.HalfOpen ? state with { ProbeStartedAt = null } : state, CircuitTransition.None);
        }

        var failed = outcome == CircuitOutcome.Failure;
        var window = Count(state.Window, options, now, failed);
        var counted = state with { Window = window };
        if (!options.Enabled)
        {
            return new CircuitChange(counted, CircuitTransition.None);
        }

        switch (state.Status)
        {
            case CircuitStatus.Closed:
                var successes = window.Sum(b => b.Successes);
                var failures = window.Sum(b => b.Failures);
                var total = successes + failures;
                // Only a failure opens it (as in Polly's breaker): a success never trips the breaker it was counted in.
                return failed && total >= options.MinimumThroughput && failures >= options.FailureRatio * total
                    ? new CircuitChange(Open(counted, options, now), CircuitTransition.Opened)
                    : new CircuitChange(counted, CircuitTransition.None);

            case CircuitStatus.HalfOpen when !failed:
                return new CircuitChange(
                    counted with { Status = CircuitStatus.Closed, ProbeStartedAt = null, OpenUntil = null, ChangedAt = now, Window = [] },
                    CircuitTransition.Closed);

            case CircuitStatus.HalfOpen when probe:
                return new CircuitChange(Open(counted, options, now), CircuitTransition.Reopened);

            default:
                // Open, or a failure during half-open of an attempt let through before the break: counted, no change.
                return new CircuitChange(counted, CircuitTransition.None);
        }
    }

    /// <summary>Gives the probe slot back unused (a probe lease found no work): the next attempt may probe.</summary>
    public static CircuitState ReleaseProbe(CircuitState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Status == CircuitStatus.HalfOpen ? state with { ProbeStartedAt = null } : state;
    }

    /// <summary>
    /// The state as a restarted host takes it over: a probe in flight before the restart no longer runs, so its slot
    /// is free; the break and the window stand.
    /// </summary>
    public static CircuitState AfterRestart(CircuitState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return ReleaseProbe(state);
    }

    /// <summary>The share of failures in the window at <paramref name="now"/>, or null when nothing ended in it.</summary>
    public static double? FailureRatio(CircuitState state, CircuitBreakerOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var live = Prune(state.Window, options, now);
        var total = live.Sum(b => b.Successes + b.Failures);
        return total == 0 ? null : (double)live.Sum(b => b.Failures) / total;
    }

    /// <summary>The window at <paramref name="now"/>: slices older than the sampling duration dropped.</summary>
    public static IReadOnlyList<CircuitBucket> Prune(IReadOnlyList<CircuitBucket> window, CircuitBreakerOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(options);
        var slice = Slice(options);
        var oldest = now - options.SamplingDuration;
        return window.Where(b => b.Start + slice > oldest && b.Start <= now).ToList();
    }

    private static CircuitState Open(CircuitState state, CircuitBreakerOptions options, DateTimeOffset now) => state with
    {
        Status = CircuitStatus.Open,
        OpenedAt = now,
        OpenUntil = now + options.BreakDuration,
        ProbeStartedAt = null,
        ChangedAt = now,
        Openings = state.Openings + 1,
    };

    private static List<CircuitBucket> Count(IReadOnlyList<CircuitBucket> window, CircuitBreakerOptions options, DateTimeOffset now, bool failed)
    {
        var live = Prune(window, options, now).ToList();
        var slice = Slice(options);
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % slice.Ticks), TimeSpan.Zero);
        var index = live.FindIndex(b => b.Start == start);
        if (index < 0)
        {
            live.Add(new CircuitBucket(start, failed ? 0 : 1, failed ? 1 : 0));
            live.Sort((a, b) => a.Start.CompareTo(b.Start));
        }
        else
        {
            var bucket = live[index];
            live[index] = failed ? bucket with { Failures = bucket.Failures + 1 } : bucket with { Successes = bucket.Successes + 1 };
        }

        return live;
    }

    private static TimeSpan Slice(CircuitBreakerOptions options) =>
        TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, options.SamplingDuration.Ticks / Buckets));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
