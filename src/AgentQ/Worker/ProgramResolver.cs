using AgentQ.Cli;

namespace AgentQ.Worker;

/// <summary>
/// Finds the worker's program before the first lease, the way a shell would: a name with a directory part
/// (<c>./review.sh</c>, <c>/opt/agent/run</c>) is that file, relative to the current directory; a bare name is
/// looked up on PATH. A program that cannot run is a usage error then, instead of a failure of every task
/// the worker would lease.
/// </summary>
public static class ProgramResolver
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// The full path of <paramref name="program"/>, or a usage <see cref="CliException"/> saying why it cannot run.
    /// <paramref name="path"/> is the PATH the program would be started with (the worker's own process environment).
    /// </summary>
    public static string Resolve(string program, string? path, string currentDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        ArgumentNullException.ThrowIfNull(currentDirectory);
        if (HasDirectoryPart(program))
        {
            var full = Path.GetFullPath(program, currentDirectory);
            return Explain(full, program) is { } problem
                ? throw CliException.Usage($"cannot run '{program}': {problem}")
                : full;
        }

        var directories = (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        string? firstProblem = null;
        foreach (var directory in directories)
        {
            foreach (var candidate in Candidates(Path.GetFullPath(directory, currentDirectory), program))
            {
                if (!File.Exists(candidate) && !Directory.Exists(candidate))
                {
                    continue;
                }

                if (Explain(candidate, candidate) is { } problem)
                {
                    // A shell skips a match it cannot execute and goes on looking; so do we, but say why if nothing else fits.
                    firstProblem ??= $"{candidate}: {problem}";
                    continue;
                }

                return candidate;
            }
        }

        var hint = File.Exists(Path.Combine(currentDirectory, program)) ? $" (for the file in the current directory, write ./{program})" : string.Empty;
        throw CliException.Usage(firstProblem is null
            ? $"cannot run '{program}': not found on PATH{hint}"
            : $"cannot run '{program}': not found on PATH as an executable file ({firstProblem}){hint}");
    }

    /// <summary>Why <paramref name="fullPath"/> cannot be executed, or null when it can.</summary>
    private static string? Explain(string fullPath, string shown)
    {
        if (Directory.Exists(fullPath))
        {
            return "it is a directory";
        }

        if (!File.Exists(fullPath))
        {
            return "no such file";
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(fullPath) & AnyExecute) == 0)
        {
            return $"it is not executable (chmod +x {shown}, or name its interpreter: -- sh {shown})";
        }

        return null;
    }

    private static bool HasDirectoryPart(string program) =>
        program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || program.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal);

    private static IEnumerable<string> Candidates(string directory, string program)
    {
        yield return Path.Combine(directory, program);
        if (OperatingSystem.IsWindows() && !Path.HasExtension(program))
        {
            var extensions = Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD";
            foreach (var extension in extensions.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return Path.Combine(directory, program + extension);
            }
        }
    }
}
