namespace AgentFunctions.Core.Tasks;

/// <summary>A task's own retry settings; each value must stay within the role's configured cap.</summary>
public sealed record TaskRetryOverride
{
    public int? MaxAttempts { get; init; }

    public TimeSpan? FirstDelay { get; init; }

    public double? BackoffCoefficient { get; init; }

    public TimeSpan? MaxDelay { get; init; }
}
