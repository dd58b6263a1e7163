using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace AgentFunctions.Infra.Tests.Support;

/// <summary>The Bicep CLI from the NuGet package, run as a child process with a bounded wait.</summary>
internal static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string Executable { get; } = Metadata("BicepExecutable");

    /// <summary>The repository's infra/ folder.</summary>
    public static string InfraDirectory { get; } = Metadata("InfraDirectory");

    public static async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        if (!File.Exists(Executable))
        {
            throw new FileNotFoundException(
                $"The Bicep CLI is not at {Executable}: restore this project (it downloads Azure.Bicep.CommandLine.linux-x64, which runs on Linux x64 only).",
                Executable);
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(Executable) & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(Executable, File.GetUnixFileMode(Executable) | UnixFileMode.UserExecute);
        }

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException($"The Bicep CLI at {Executable} could not run: {exception.Message}", exception);
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepRun(string.Join(' ', arguments), process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A diagnostic line: <c>path(line,column) : Warning|Error|Info CODE: message</c>.</summary>
    public static IReadOnlyList<string> Diagnostics(string output) =>
        output.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => DiagnosticLine().IsMatch(line)).ToList();

    private static string Metadata(string key) => typeof(BicepCli).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;

    [GeneratedRegex(@"\(\d+,\d+\)\s*:\s*(Error|Warning|Info)\s")]
    private static partial Regex DiagnosticLine();
}
