using System.Globalization;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// How a program's run becomes an agent result: stdout parsed by <see cref="AgentResultParser"/>, the
/// artifacts directory collected, and failures described with the tail of the program's output.
/// Shared by the <c>command</c> runner and the CLI's pull worker.
/// </summary>
public static class ProgramOutput
{
    /// <summary>How much of a program's output a failure message carries.</summary>
    public const int MaxErrorTailChars = 2000;

    /// <summary>
    /// Exit 0: stdout is the answer (markdown or a JSON agent result) and the artifacts directory holds its
    /// files. Notes about truncated output or skipped files are appended to the result, signed by <paramref name="noteAuthor"/>.
    /// </summary>
    /// <param name="maxArtifactBytes">The host's artifact limit (<c>Limits:MaxArtifactBytes</c>): larger files are skipped with a note.</param>
    public static ProgramAnswer Interpret(
        ProcessRunResult run, DirectoryInfo artifactsDirectory, int maxOutputBytes, string noteAuthor, long maxArtifactBytes = ArtifactDirectory.DefaultMaxArtifactBytes)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(artifactsDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxArtifactBytes, 1);
        var parsed = AgentResultParser.Parse(run.StandardOutput);
        var notes = new List<string>();
        if (run.StandardOutputTruncated)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"The output was cut to its first {maxOutputBytes} of {run.StandardOutputBytes} bytes."));
        }

        var collected = ArtifactDirectory.Collect(artifactsDirectory, maxArtifactBytes);
        notes.AddRange(collected.Skipped.Select(s => s.Note));
        var artifacts = parsed.Artifacts.ToList();
        var names = artifacts.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var artifact in collected.Artifacts)
        {
            // An artifact the agent also listed in its JSON answer keeps the listed version.
            if (names.Add(artifact.Name))
            {
                artifacts.Add(artifact);
            }
        }

        var result = parsed.Result;
        if (notes.Count > 0)
        {
            result = $"{result?.TrimEnd()}\n\n> Note from {noteAuthor}: {string.Join(" ", notes)}\n";
        }

        return new ProgramAnswer(parsed with { Result = result, Artifacts = artifacts }, collected.Skipped, run.StandardOutputTruncated);
    }

    /// <summary>"'prog' exited with code N: &lt;tail of stderr, or stdout when stderr is empty&gt;".</summary>
    public static string DescribeExit(string program, ProcessRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var output = string.IsNullOrWhiteSpace(run.StandardError) ? run.StandardOutput : run.StandardError;
        return AppendTail(string.Create(CultureInfo.InvariantCulture, $"'{program}' exited with code {run.ExitCode}"), output);
    }

    /// <summary>"'prog' timed out after Ns; its process tree was killed: &lt;tail of stderr&gt;".</summary>
    public static string DescribeTimeout(string program, TimeSpan timeout, ProcessRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return AppendTail($"'{program}' timed out after {seconds}s; its process tree was killed", run.StandardError);
    }

    /// <summary><paramref name="message"/> followed by the last <see cref="MaxErrorTailChars"/> characters of <paramref name="output"/>.</summary>
    public static string AppendTail(string message, string? output)
    {
        var trimmed = output?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            return message;
        }

        var tail = trimmed.Length <= MaxErrorTailChars ? trimmed : "…" + trimmed[^(MaxErrorTailChars - 1)..];
        return $"{message}: {tail}";
    }
}
