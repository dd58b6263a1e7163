namespace AgentFunctions.Testing;

/// <summary>
/// Whether a process still runs, read from /proc (a zombie waiting to be reaped counts as gone).
/// </summary>
public static class ProcessProbe
{
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Format: "pid (comm) state ..."; comm may contain spaces and parentheses.
            var state = stat[stat.LastIndexOf(')') + 2];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Polls until the process is gone or <paramref name="within"/> has passed; true when gone.</summary>
    public static async Task<bool> WaitUntilGoneAsync(int pid, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>Waits for a program to write its pid to <paramref name="pidFile"/>.</summary>
    public static async Task<int> ReadPidAsync(string pidFile, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out var pid))
            {
                return pid;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no pid in {pidFile}");
            }

            await Task.Delay(20);
        }
    }
}
