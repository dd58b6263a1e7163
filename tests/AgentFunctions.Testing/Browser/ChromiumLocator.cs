using System.Diagnostics;

namespace AgentFunctions.Testing.Browser;

/// <summary>
/// Finds a Chromium on the machine for Playwright to drive (its own browser download cannot be used here).
/// <c>AGENTFUNCTIONS_CHROMIUM</c> names one explicitly; otherwise the usual names are looked up on PATH. Where none
/// is found and the tests run as root with apt-get, Debian's <c>chromium</c> is installed once; elsewhere the
/// search fails with one line saying how to install one.
/// </summary>
public static class ChromiumLocator
{
    public const string PathVariable = "AGENTFUNCTIONS_CHROMIUM";

    private static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>The executable's full path; installs Debian's chromium first when that is possible and needed.</summary>
    /// <exception cref="BrowserUnavailableException">None found, and none could be installed.</exception>
    public static async Task<string> FindOrInstallAsync(TimeSpan installTimeout, CancellationToken cancellationToken = default)
    {
        if (Find() is { } found)
        {
            return found;
        }

        await InstallGate.WaitAsync(cancellationToken);
        try
        {
            if (Find() is { } installedMeanwhile)
            {
                return installedMeanwhile;
            }

            var aptGet = OnPath("apt-get");
            if (!IsRoot() || aptGet is null)
            {
                throw new BrowserUnavailableException(
                    $"No Chromium found (looked for {string.Join(", ", Names)} on PATH and ${PathVariable}): install one with 'sudo apt-get install -y chromium' (Debian/Ubuntu), or set {PathVariable} to a Chromium or Chrome executable.");
            }

            // A fresh machine may have no package lists yet: install, and if that fails, update the lists and retry.
            var first = await RunAsync(aptGet, ["install", "-y", "chromium"], installTimeout, cancellationToken);
            if (first.ExitCode != 0)
            {
                var update = await RunAsync(aptGet, ["update"], installTimeout, cancellationToken);
                var second = update.ExitCode == 0 ? await RunAsync(aptGet, ["install", "-y", "chromium"], installTimeout, cancellationToken) : update;
                if (second.ExitCode != 0)
                {
                    throw new BrowserUnavailableException(
                        $"No Chromium found, and 'apt-get install -y chromium' failed with exit code {second.ExitCode}: {LastLine(second.Output)}");
                }
            }

            return Find() ?? throw new BrowserUnavailableException("'apt-get install -y chromium' succeeded, yet no chromium executable is on PATH.");
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>The Chromium to use, or null: <c>AGENTFUNCTIONS_CHROMIUM</c> first, then the usual names on PATH.</summary>
    public static string? Find()
    {
        var explicitPath = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return File.Exists(explicitPath)
                ? explicitPath
                : throw new BrowserUnavailableException($"{PathVariable} names '{explicitPath}', which does not exist.");
        }

        return Names.Select(OnPath).FirstOrDefault(path => path is not null);
    }

    private static string? OnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsRoot() => OperatingSystem.IsLinux() && Environment.UserName == "root";

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Another apt run (a second test run, an unattended upgrade) holds the lock for a while: wait for it.
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add("DPkg::Lock::Timeout=" + (int)timeout.TotalSeconds);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new BrowserUnavailableException($"could not start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new BrowserUnavailableException($"'{program} {string.Join(' ', arguments)}' did not finish within {timeout.TotalMinutes:0} minutes.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
}
