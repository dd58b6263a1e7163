namespace AgentQ.Worker;

/// <summary>
/// What a worker config file (TOML) says; every field is optional, and a flag given on the command line wins over it.
/// See deploy/agentq.worker.example.toml.
/// </summary>
public sealed record WorkerConfig
{
    /// <summary>The file it was read from.</summary>
    public required string Path { get; init; }

    public string? Role { get; init; }

    public int? Concurrency { get; init; }

    public int? LeaseSeconds { get; init; }

    public string? Url { get; init; }

    public string? Profile { get; init; }

    public int? WaitSeconds { get; init; }

    public TimeSpan? Timeout { get; init; }

    public TimeSpan? Grace { get; init; }

    public string? WorkerId { get; init; }

    public IReadOnlySet<int>? PermanentExitCodes { get; init; }

    /// <summary>What the worker can do (<c>capabilities = ["database"]</c>); <c>--capability</c> flags replace it.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }

    /// <summary>argv of the program; <c>{input}</c> is replaced by the prompt.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    public WorkerLogSettings? Log { get; init; }
}
