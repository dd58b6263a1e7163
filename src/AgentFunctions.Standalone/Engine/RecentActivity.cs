namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// What happened to a role in each of the last 60 minutes (a ring of one-minute slices): attempts that arrived in its
/// queue, that succeeded and failed, their total run time, and dead letters. Metrics read rates and ratios from it.
/// </summary>
public sealed class RecentActivity
{
    public const int Minutes = 60;

    private readonly Slice[] _slices = new Slice[Minutes];
    private readonly Lock _lock = new();

    public void Arrived(DateTimeOffset at) => Add(at, s => s.Arrivals++);

    public void Ended(DateTimeOffset at, bool succeeded, TimeSpan took) => Add(at, s =>
    {
        if (succeeded)
        {
            s.Succeeded++;
        }
        else
        {
            s.Failed++;
        }

        s.Seconds += took.TotalSeconds;
    });

    public void DeadLettered(DateTimeOffset at) => Add(at, s => s.DeadLetters++);

    /// <summary>Sums over the minutes ending at <paramref name="now"/> (the current, partial minute included).</summary>
    public (long Arrivals, long Succeeded, long Failed, double Seconds, long DeadLetters) Sum(DateTimeOffset now, int minutes)
    {
        var current = MinuteOf(now);
        var first = current - Math.Clamp(minutes, 1, Minutes) + 1;
        long arrivals = 0, succeeded = 0, failed = 0, deadLetters = 0;
        double seconds = 0;
        lock (_lock)
        {
            foreach (var slice in _slices)
            {
                if (slice is not null && slice.Minute >= first && slice.Minute <= current)
                {
                    arrivals += slice.Arrivals;
                    succeeded += slice.Succeeded;
                    failed += slice.Failed;
                    seconds += slice.Seconds;
                    deadLetters += slice.DeadLetters;
                }
            }
        }

        return (arrivals, succeeded, failed, seconds, deadLetters);
    }

    private static long MinuteOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;

    private void Add(DateTimeOffset at, Action<Slice> change)
    {
        var minute = MinuteOf(at);
        lock (_lock)
        {
            var index = (int)(minute % Minutes);
            var slice = _slices[index];
            if (slice is null || slice.Minute != minute)
            {
                _slices[index] = slice = new Slice { Minute = minute };
            }

            change(slice);
        }
    }

    private sealed class Slice
    {
        public long Minute { get; init; }

        public long Arrivals { get; set; }

        public long Succeeded { get; set; }

        public long Failed { get; set; }

        public double Seconds { get; set; }

        public long DeadLetters { get; set; }
    }
}
