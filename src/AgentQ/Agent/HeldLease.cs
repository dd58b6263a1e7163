namespace AgentQ.Agent;

/// <summary>
/// What <c>agentq take</c> keeps about a lease under <c>~/.agentq/leases/&lt;role&gt;/&lt;task-id&gt;.json</c> (mode 0600: the
/// lease id lets anyone who has it settle the attempt), so later verbs can name the task instead of the lease.
/// </summary>
public sealed record HeldLease
{
    public required string TaskId { get; init; }

    public required string Role { get; init; }

    public required int Attempt { get; init; }

    public int MaxAttempts { get; init; }

    /// <summary>The latest lease id (a heartbeat may hand out a new one).</summary>
    public required string LeaseId { get; init; }

    public required DateTimeOffset LeaseExpiresAt { get; init; }

    public int LeaseSeconds { get; init; }

    /// <summary>The server the lease came from: heartbeat, complete and fail go there, whatever the current profile says.</summary>
    public required string Server { get; init; }

    /// <summary>The profile the lease was taken with (its key goes with later calls on the lease); never the key itself.</summary>
    public string? Profile { get; init; }

    public string? WorkerId { get; init; }

    /// <summary>Where <c>take</c> wrote the attempt's files.</summary>
    public required string Directory { get; init; }

    public required DateTimeOffset TakenAt { get; init; }
}
