namespace AgentQ.Worker;

/// <summary>How <c>agentq worker run</c> pulls and runs attempts.</summary>
public sealed record WorkerSettings
{
    public required string Role { get; init; }

    /// <summary>argv of the program as given; <c>{input}</c> in an argument is replaced by the prompt.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>
    /// The full path <c>Command[0]</c> resolved to before the first lease (see <see cref="ProgramResolver"/>); what
    /// is started, so the program checked is the program run. Null: <c>Command[0]</c> is started as given.
    /// </summary>
    public string? Executable { get; init; }

    public required string WorkerId { get; init; }

    /// <summary>Attempts run at once.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Lease length asked of the server (it grants at most the role's LeaseSeconds); null takes the role's lease.</summary>
    public int? LeaseSeconds { get; init; }

    /// <summary>Long-poll wait of one lease request (the server allows 0..60).</summary>
    public int WaitSeconds { get; init; } = 20;

    /// <summary>Exit codes reported as permanent failures (dead-lettered at once instead of retried).</summary>
    public IReadOnlySet<int> PermanentExitCodes { get; init; } = new HashSet<int>();

    /// <summary>Kill the program (and report a transient failure) after this long; null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>After SIGINT/SIGTERM, how long running attempts may go on before they are stopped and released.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Once shutdown starts, reports (complete, fail, release) are given up <see cref="Grace"/> plus this long after
    /// it: an attempt not reported by then is left to the server's lease expiry.
    /// </summary>
    public TimeSpan ReportSlack { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>What the worker can do (<c>--capability</c>): the server hands it only attempts whose requirements these cover.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>Bytes of stdout/stderr kept from the program.</summary>
    public int MaxOutputBytes { get; init; } = 1024 * 1024;
}
