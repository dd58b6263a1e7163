namespace AgentFunctions.Core.Runners;

/// <summary>How a program run by <see cref="AgentProcess"/> ended and what it printed (each stream capped).</summary>
public sealed record ProcessRunResult
{
    /// <summary>The exit code; -1 when the program never started.</summary>
    public int ExitCode { get; init; } = -1;

    public string StandardOutput { get; init; } = string.Empty;

    public string StandardError { get; init; } = string.Empty;

    /// <summary>Bytes the program wrote to stdout, including those dropped beyond the cap.</summary>
    public long StandardOutputBytes { get; init; }

    public long StandardErrorBytes { get; init; }

    public bool StandardOutputTruncated { get; init; }

    public bool StandardErrorTruncated { get; init; }

    /// <summary>The timeout struck first and the process tree was killed.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The caller cancelled and the process tree was killed.</summary>
    public bool Canceled { get; init; }

    /// <summary>Why the program could not be started (not found, not executable, bad working directory); null when it ran.</summary>
    public string? StartError { get; init; }

    public TimeSpan Duration { get; init; }

    public bool Started => StartError is null;

    /// <summary>Ran to the end by itself and exited 0.</summary>
    public bool Succeeded => Started && !TimedOut && !Canceled && ExitCode == 0;
}
