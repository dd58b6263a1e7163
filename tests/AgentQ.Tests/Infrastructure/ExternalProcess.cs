using System.Diagnostics;

namespace AgentQ.Tests.Infrastructure;

/// <summary>Runs a program to its end (dotnet pack, dotnet tool install, an installed tool) and captures its output.</summary>
internal static class ExternalProcess
{
    /// <summary>
    /// Runs <paramref name="program"/> in <paramref name="workingDirectory"/>; <paramref name="environment"/> sets
    /// variables (a null value removes one). Fails the test, with the output so far, when it outlasts <paramref name="timeout"/>.
    /// </summary>
    public static async Task<CliResult> RunAsync(string program, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{program} {string.Join(' ', start.ArgumentList)} did not end within {timeout.TotalSeconds} s\n--- stdout\n{await stdout}\n--- stderr\n{await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
