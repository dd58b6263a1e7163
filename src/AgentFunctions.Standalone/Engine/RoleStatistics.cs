using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Storage;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Attempt outcomes and latencies of one role: totals over the data directory's life (seeded at start from the
/// <c>role_counters</c> table, which every batch that counts something updates in its own commit), percentiles over the
/// last 2048 attempts this process saw, and its <see cref="Recent"/> activity by minute for rates, ratios and the
/// scaling hint.
/// </summary>
public sealed class RoleStatistics(TimeProvider time)
{
    private const int Window = 2048;
    private readonly double[] _latencies = new double[Window];
    private readonly Lock _lock = new();
    private long _count;
    private long _seededCount;
    private double _sum;
    private long _succeeded;
    private long _failed;
    private long _deadLettered;
    private AgentUsage? _usage;

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long FailedAttempts => Interlocked.Read(ref _failed);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    public AgentUsage? Usage
    {
        get
        {
            lock (_lock)
            {
                return _usage;
            }
        }
    }

    public RecentActivity Recent { get; } = new();

    public void RecordArrival(DateTimeOffset at) => Recent.Arrived(at);

    /// <summary>Starts from the totals a previous run left (before any attempt is recorded).</summary>
    public void Seed(RoleCounters totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        Interlocked.Exchange(ref _succeeded, totals.Succeeded);
        Interlocked.Exchange(ref _failed, totals.Failed);
        Interlocked.Exchange(ref _deadLettered, totals.DeadLettered);
        lock (_lock)
        {
            _seededCount = totals.LatencyCount;
            _sum = totals.LatencySumMs;
            _usage = totals.InputTokens == 0 && totals.OutputTokens == 0 && totals.CostUsd == 0
                ? null
                : new AgentUsage { InputTokens = totals.InputTokens, OutputTokens = totals.OutputTokens, CostUsd = totals.CostUsd };
        }
    }

    /// <param name="duration">Null when unknown (a lease granted before a restart): counted, but not as a latency.</param>
    public void RecordAttempt(TimeSpan? duration, bool succeeded, AgentUsage? usage)
    {
        Interlocked.Increment(ref succeeded ? ref _succeeded : ref _failed);
        Recent.Ended(time.GetUtcNow(), succeeded, duration ?? TimeSpan.Zero);
        lock (_lock)
        {
            if (duration is { } took)
            {
                _latencies[_count % Window] = took.TotalMilliseconds;
                _count++;
                _sum += took.TotalMilliseconds;
            }

            if (usage is not null)
            {
                _usage = _usage is null ? usage : AgentUsage.Add(_usage, usage);
            }
        }
    }

    public void RecordDeadLetter()
    {
        Interlocked.Increment(ref _deadLettered);
        Recent.DeadLettered(time.GetUtcNow());
    }

    public LatencySummary Latency()
    {
        double[] sample;
        long count;
        double sum;
        lock (_lock)
        {
            count = _seededCount + _count;
            sum = _sum;
            sample = _latencies.AsSpan(0, (int)Math.Min(_count, Window)).ToArray();
        }

        if (sample.Length == 0)
        {
            // Right after a restart: the totals carry over, the percentiles start afresh.
            return count == 0 ? LatencySummary.Empty : LatencySummary.Empty with { Count = count, SumMs = Math.Round(sum, 3) };
        }

        Array.Sort(sample);
        return new LatencySummary(count, Percentile(sample, 0.50), Percentile(sample, 0.95), Percentile(sample, 0.99)) { SumMs = Math.Round(sum, 3) };
    }

    private static double Percentile(double[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Length - 1)], 3);
    }
}
