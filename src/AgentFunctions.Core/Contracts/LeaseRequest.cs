namespace AgentFunctions.Core.Contracts;

/// <summary>Optional body of a lease request: who asks, and how long to wait for work (long poll).</summary>
public sealed record LeaseRequest
{
    public string? WorkerId { get; init; }

    public int? WaitSeconds { get; init; }
}
