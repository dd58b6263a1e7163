using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Attempt outcomes and latencies of one role since the server started (latency over the last 2048 attempts), and
/// its <see cref="Recent"/> activity by minute for rates, ratios and the scaling hint.
/// </summary>
public sealed class RoleStatistics(TimeProvider time)
{
    private const int Window = 2048;
    private readonly double[] _latencies = new double[Window];
    private readonly Lock _lock = new();
    private long _count;
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

    public void RecordAttempt(TimeSpan duration, bool succeeded, AgentUsage? usage)
    {
        Interlocked.Increment(ref succeeded ? ref _succeeded : ref _failed);
        Recent.Ended(time.GetUtcNow(), succeeded, duration);
        lock (_lock)
        {
            _latencies[_count % Window] = duration.TotalMilliseconds;
            _count++;
            _sum += duration.TotalMilliseconds;
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
            count = _count;
            sum = _sum;
            sample = _latencies.AsSpan(0, (int)Math.Min(count, Window)).ToArray();
        }

        if (sample.Length == 0)
        {
            return LatencySummary.Empty;
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
