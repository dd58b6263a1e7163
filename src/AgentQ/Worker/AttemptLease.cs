namespace AgentQ.Worker;

/// <summary>
/// The live state of one leased attempt, shared by the program runner and the heartbeat loop. The lease id
/// is whatever the latest heartbeat returned: the server may rotate it.
/// </summary>
public sealed class AttemptLease(string leaseId)
{
    private volatile string _leaseId = leaseId;
    private volatile bool _canceled;
    private volatile bool _gone;

    public string LeaseId
    {
        get => _leaseId;
        set => _leaseId = value;
    }

    /// <summary>A heartbeat said the task was canceled.</summary>
    public bool Canceled
    {
        get => _canceled;
        set => _canceled = value;
    }

    /// <summary>The worker's span around this attempt; null when the lease came without a trace context.</summary>
    public WorkerTrace? Trace { get; init; }

    /// <summary>The server answered 410: the lease expired or the attempt was given to someone else.</summary>
    public bool Gone
    {
        get => _gone;
        set => _gone = value;
    }
}
