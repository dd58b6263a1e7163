using System.Diagnostics;

namespace AgentQ.Tests.Infrastructure;

/// <summary>The pid a worker program wrote to a file (<c>echo $$ &gt; FILE; exec sleep ...</c>), and whether it still runs.</summary>
internal static class ProgramPids
{
    public static async Task<int> WaitForAsync(string path, double seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (File.Exists(path) && int.TryParse((await File.ReadAllTextAsync(path)).Trim(), out var pid))
            {
                return pid;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"the program did not write {path} in time");
            await Task.Delay(25);
        }
    }

    /// <summary>True while the process exists (the worker reaps what it kills, so a stopped program leaves no entry).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
