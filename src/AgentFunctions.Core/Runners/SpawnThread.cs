using System.Collections.Concurrent;
using System.Diagnostics;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// Starts processes on one thread that lives as long as the host. Linux sends a parent-death signal when the thread
/// that forked the child ends, not the process; a pool thread retiring after a quiet spell would kill a program
/// still at work.
/// </summary>
internal static class SpawnThread
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = [];
    private static readonly Lazy<Thread> Thread = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "agentfunctions-spawn" };
        thread.Start();
        return thread;
    });

    /// <summary>Runs <see cref="Process.Start()"/> on the spawning thread; its exception comes out of the task.</summary>
    public static Task StartAsync(Process process)
    {
        _ = Thread.Value;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
