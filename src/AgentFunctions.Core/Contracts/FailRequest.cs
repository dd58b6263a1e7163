namespace AgentFunctions.Core.Contracts;

/// <summary>Body of a lease <c>fail</c>: why, and whether retrying is pointless.</summary>
public sealed record FailRequest
{
    public string? Reason { get; init; }

    public bool Permanent { get; init; }

    /// <summary>The worker's own span (see <see cref="Contracts.WorkerSpan"/>).</summary>
    public WorkerSpan? WorkerSpan { get; init; }
}
