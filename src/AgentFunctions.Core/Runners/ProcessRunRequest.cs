namespace AgentFunctions.Core.Runners;

/// <summary>What <see cref="AgentProcess"/> should run: a program with its arguments (no shell), its input and its limits.</summary>
public sealed record ProcessRunRequest
{
    /// <summary>The placeholder replaced by <see cref="Input"/> inside any argument after the program.</summary>
    public const string InputPlaceholder = "{input}";

    /// <summary>argv: the program (looked up on PATH when not a path) followed by its arguments.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The prompt: substituted for <see cref="InputPlaceholder"/> and written to stdin (UTF-8), then stdin is closed.</summary>
    public string? Input { get; init; }

    public string? WorkingDirectory { get; init; }

    /// <summary>Variables added to the inherited environment; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>After this long the whole process tree is killed; null waits for ever.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Bytes kept of stdout and of stderr each; the rest is read and dropped so the program never blocks.</summary>
    public int MaxOutputBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// How long to keep reading output once the program has ended. Something it started in the background
    /// may hold the pipes open; waiting for that would turn a finished run into a timeout.
    /// </summary>
    public TimeSpan OutputDrainGrace { get; init; } = TimeSpan.FromSeconds(2);
}
