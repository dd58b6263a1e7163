namespace AgentFunctions.Core.Resilience;

/// <summary>
/// How many workers a remote role wants, so that what waits, what runs and what keeps arriving is done within the
/// drain target: <c>desiredWorkers = ceil(((queued + inFlight) / targetDrainSeconds + arrivalsPerSecond) × meanAttemptSeconds)</c>,
/// at least 1 while anything waits, runs or arrives, 0 when idle. Without an observed attempt time it asks for the
/// workers busy now, and one when only waiting work is known.
/// </summary>
public static class ScalingHint
{
    public static int DesiredWorkers(int queued, int inFlight, double? arrivalsPerSecond, double? meanAttemptSeconds, int targetDrainSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetDrainSeconds, 1);
        var arrivals = arrivalsPerSecond is { } rate && double.IsFinite(rate) && rate > 0 ? rate : 0;
        var pending = Math.Max(0, queued) + Math.Max(0, inFlight);
        if (pending == 0 && arrivals == 0)
        {
            return 0;
        }

        if (meanAttemptSeconds is not { } seconds || !double.IsFinite(seconds) || seconds <= 0)
        {
            return Math.Max(1, inFlight);
        }

        var workers = Math.Ceiling(((double)pending / targetDrainSeconds + arrivals) * seconds);
        return (int)Math.Clamp(workers, 1, int.MaxValue);
    }
}
