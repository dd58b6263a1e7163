namespace AgentFunctions.Core.Contracts;

/// <summary>Optional body of a lease request: who asks, how long to wait for work (long poll), how long a lease.</summary>
public sealed record LeaseRequest
{
    public string? WorkerId { get; init; }

    public int? WaitSeconds { get; init; }

    /// <summary>A shorter lease than the role's <c>LeaseSeconds</c> (the role's value is the cap and the default).</summary>
    public int? LeaseSeconds { get; init; }

    /// <summary>What the worker can do: it is handed only attempts whose <c>requires</c> these cover.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }
}
