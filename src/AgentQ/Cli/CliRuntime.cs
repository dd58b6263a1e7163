namespace AgentQ.Cli;

/// <summary>What one run of agentq writes to and reads from; the same for the real tool and in-process tests.</summary>
public sealed record CliRuntime(TextWriter Stdout, TextWriter Stderr, ICliEnvironment Environment)
{
    /// <summary>Replaces the network stack in tests (null: the real one).</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>How long <c>worker run</c> lets running attempts finish after SIGINT/SIGTERM when --grace is not given.</summary>
    public TimeSpan DefaultWorkerGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after the grace period <c>worker run</c> still tries to report attempts before it gives up and exits.</summary>
    public TimeSpan WorkerReportSlack { get; init; } = TimeSpan.FromSeconds(10);
}
