namespace AgentQ.Tests.Infrastructure;

/// <summary>What one agentq run produced.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The one error line agentq promises for a failure.</summary>
    public string ErrorLine => Assert.Single(StderrLines);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
