namespace AgentFunctions.Core.Contracts;

/// <summary>Body of a lease <c>fail</c>: why, and whether retrying is pointless.</summary>
public sealed record FailRequest
{
    public string? Reason { get; init; }

    public bool Permanent { get; init; }
}
