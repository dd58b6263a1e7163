using System.Diagnostics;

namespace AgentQ.Tests.Infrastructure;

/// <summary>
/// <c>systemd-analyze verify</c> on unit files. When the tool is missing and the tests run as root (CI, a fresh
/// machine), systemd is installed from Debian with apt-get first; otherwise the test fails saying what to install.
/// </summary>
internal static class SystemdAnalyze
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    /// <summary>Runs <c>systemd-analyze verify</c> on the unit files; its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> VerifyAsync(params string[] units)
    {
        var tool = await EnsureInstalledAsync();
        return await RunAsync(tool, ["verify", .. units], TimeSpan.FromSeconds(60));
    }

    private static async Task<string> EnsureInstalledAsync()
    {
        await Install.WaitAsync();
        try
        {
            if (Find() is { } found)
            {
                return found;
            }

            Assert.True(Environment.UserName == "root", "systemd-analyze is not installed and these tests do not run as root to install it: apt-get install -y systemd");
            var install = await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "systemd"], TimeSpan.FromMinutes(5));
            if (install.ExitCode != 0)
            {
                // The package lists may be missing or stale on a fresh machine.
                await RunAsync("apt-get", ["update"], TimeSpan.FromMinutes(5));
                install = await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "systemd"], TimeSpan.FromMinutes(5));
            }

            return Find() ?? throw new Xunit.Sdk.XunitException($"systemd-analyze is still missing after apt-get install systemd (exit {install.ExitCode}): {install.Output}");
        }
        finally
        {
            Install.Release();
        }
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(directory => Path.Combine(directory, "systemd-analyze"))
            .FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
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
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s");
        }

        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
