namespace AgentFunctions.Core.Contracts;

/// <summary>
/// Optional body of a lease request: who asks, for which task (any when absent), how long to wait for work (long
/// poll), how long a lease.
/// </summary>
public sealed record LeaseRequest
{
    public string? WorkerId { get; init; }

    /// <summary>Only this task's due attempt of the role; none (204) when it has none waiting.</summary>
    public string? TaskId { get; init; }

    public int? WaitSeconds { get; init; }

    /// <summary>The lease length wanted, up to the role's <c>MaxLeaseSeconds</c>; the role's <c>LeaseSeconds</c> when absent.</summary>
    public int? LeaseSeconds { get; init; }

    /// <summary>What the worker can do: it is handed only attempts whose <c>requires</c> these cover.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }
}
