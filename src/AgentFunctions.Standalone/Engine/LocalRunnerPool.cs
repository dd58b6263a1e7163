using System.Collections.Concurrent;
using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Standalone.Logging;
using AgentFunctions.Standalone.Storage;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Runs attempts of in-process roles (echo, command, http, openai): per role, as many loops as its
/// <c>Concurrency</c>, each taking the next due attempt from the role's queue. A loop is free again as
/// soon as its agent has answered: the outcome goes to the journal while the loop runs the next attempt
/// (waiting for each commit would cap a role at Concurrency attempts per commit).
/// </summary>
public sealed class LocalRunnerPool(
    RoleCatalog roles,
    IAgentRunnerFactory runners,
    Dispatcher dispatcher,
    AttemptReporter reporter,
    ActiveTasks active,
    AttemptInstruments instruments,
    DiskSpace disk,
    TimeProvider time,
    ILogger<LocalRunnerPool> logger)
{
    /// <summary>An attempt still running after this long is recorded as started.</summary>
    private static readonly TimeSpan AnnounceAfter = TimeSpan.FromMilliseconds(20);

    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly List<Task> _loops = [];
    private readonly ConcurrentDictionary<Task, byte> _reporting = new();
    private int _running;

    public int Running => Volatile.Read(ref _running);

    public void Start()
    {
        foreach (var role in roles.All.Where(r => r.Runner != RunnerKind.Remote))
        {
            var queue = dispatcher.QueueFor(role.Name);
            var capabilities = role.Capabilities.ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < role.Concurrency; i++)
            {
                _loops.Add(Task.Run(() => LoopAsync(role, capabilities, queue)));
            }
        }
    }

    /// <summary>Stops taking attempts, lets running ones finish within <paramref name="grace"/>, then abandons the rest (they run again after a restart).</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stopTaking.CancelAsync();
        var all = Task.WhenAll(_loops);
        try
        {
            await all.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            logger.AbandoningAttempts(Running);
            await _abort.CancelAsync();
            await all.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Outcomes already handed to the journal: let them commit before the journal stops.
        await Task.WhenAll(_reporting.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Takes the role's attempts that its <c>Capabilities</c> cover; the others wait for a runner that can.</summary>
    private async Task LoopAsync(RoleDefinition role, IReadOnlySet<string> capabilities, RoleQueue queue)
    {
        while (!_stopTaking.IsCancellationRequested)
        {
            WorkItem? item;
            try
            {
                // Below the free-space minimum no result could be stored: attempts wait rather than run for nothing.
                await disk.WhenRoomAsync(_stopTaking.Token);
                item = await queue.TakeAsync(capabilities, Timeout.InfiniteTimeSpan, _stopTaking.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (item is not null)
            {
                // Registered as running at once: from here on nothing hands the same attempt out again.
                using var cancellation = dispatcher.BeginAttempt(item, _abort.Token);
                Interlocked.Increment(ref _running);
                try
                {
                    await RunAsync(role, queue, item, cancellation);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.AttemptCrashed(ex, item.TaskId, item.Role, item.Attempt);
                }
                finally
                {
                    Interlocked.Decrement(ref _running);
                    dispatcher.EndAttempt(item);
                }
            }
        }
    }

    private async Task RunAsync(RoleDefinition role, RoleQueue queue, WorkItem item, CancellationTokenSource cancellation)
    {
        if (item.Removed || active.Find(item.TaskId) is not { } state)
        {
            ReleaseProbe(queue, item);
            return;
        }

        var runner = runners.Create(role);
        if (runner is null)
        {
            return;
        }

        var attempt = await reporter.BuildAttemptAsync(state, item, cancellation.Token);
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        AgentResult result;
        try
        {
            var run = runner.RunAsync(attempt, cancellation.Token);
            if (!run.IsCompleted && await Task.WhenAny(run, Task.Delay(AnnounceAfter, time, CancellationToken.None)) != run)
            {
                // Only attempts that take a while are shown as running; a quick one goes straight to its
                // outcome (the decider accepts an outcome for an attempt it has not seen start).
                _ = reporter.StartedAsync(item);
            }

            result = await run;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Canceled with its task, or abandoned at shutdown: either way nothing to report.
            ReleaseProbe(queue, item);
            return;
        }
        catch (Exception ex)
        {
            result = AgentResult.Failed($"the {CoreConfiguration.RunnerName(role.Runner)} runner failed: {ex.Message}");
        }

        var elapsed = time.GetElapsedTime(started);
        queue.Circuit?.Record(CircuitOutcomes.Of(result), item.Probe, time.GetUtcNow());
        instruments.Record(role.Name, elapsed, AttemptOutcomes.Of(result));
        Report(item, result, startedAt, elapsed);
    }

    private static void ReleaseProbe(RoleQueue queue, WorkItem item)
    {
        if (item.Probe)
        {
            item.Probe = false;
            queue.Circuit?.ReleaseProbe();
        }
    }

    private void Report(WorkItem item, AgentResult result, DateTimeOffset startedAt, TimeSpan elapsed)
    {
        var report = reporter.ReportAsync(item, null, result, startedAt, elapsed, CancellationToken.None);
        if (report.IsCompletedSuccessfully)
        {
            return;
        }

        _reporting.TryAdd(report, 0);
        _ = report.ContinueWith(
            done =>
            {
                _reporting.TryRemove(done, out _);
                if (done.Exception?.InnerException is InsufficientStorageException)
                {
                    // The outcome was undone with its batch (a full disk): the attempt runs again once there is room.
                    logger.AttemptReportRefused(item.TaskId, item.Role, item.Attempt);
                    dispatcher.Revive([item]);
                }
                else if (done.Exception is { } error)
                {
                    logger.AttemptReportFailed(error.GetBaseException(), item.TaskId, item.Role, item.Attempt);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
