using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Logging;
using AgentFunctions.Standalone.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Starts and stops the Standalone engine with the host: recovers unfinished tasks, their due work and unwritten
/// files from SQLite, starts the journal and the threads around it, and at shutdown lets running attempts finish
/// within the grace period before it stops them in order. It also routes each commit's effects to the parts that
/// act on them, and stops the host when the journal can no longer write.
/// </summary>
public sealed class StandaloneEngineHost(
    TaskDatabase database,
    TaskReader reader,
    WalCheckpointer checkpointer,
    Journal journal,
    Dispatcher dispatcher,
    WorkScheduler scheduler,
    LocalRunnerPool localRunners,
    OutboxProcessor outbox,
    ActiveTasks active,
    EngineStatistics statistics,
    CircuitBreakers circuits,
    DatabaseArtifactStore artifacts,
    ProcessGroupFiles processGroups,
    RoleCatalog roles,
    CarriedOverState carriedOver,
    TimeProvider time,
    StandaloneOptions options,
    IHostApplicationLifetime lifetime,
    ILogger<StandaloneEngineHost> logger) : IHostedService
{
    /// <summary>The engine stopped itself after a storage failure (the process should exit non-zero and be restarted).</summary>
    public bool Faulted => journal.Fault is not null;

    /// <summary>The reason of the storage failure that stopped the engine, or null.</summary>
    public string? FaultReason => journal.Fault?.Message;

    /// <summary>Recovers what the database holds; the data directory was opened and checked by <see cref="Hosting.DataDirectoryGuard"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Before any attempt can run again: a command a crash left running would otherwise run beside its own re-run.
        var (killed, records) = processGroups.KillLeftovers();
        if (records > 0)
        {
            logger.LeftoverProcessGroupsKilled(killed, records, processGroups.Directory);
        }

        if (roles.All.Any(role => role.Runner == RunnerKind.Command) && !(ProcessGroups.Supported && ProcessGroups.DieWithParentSupported))
        {
            logger.CommandIsolationUnavailable(ProcessGroups.Supported);
        }

        foreach (var (state, count) in reader.CountByStatus())
        {
            if (Names.TryParse<AgentTaskStatus>(state, out var status) && status.IsTerminal())
            {
                statistics.Seed(state, count);
            }
        }

        foreach (var counters in carriedOver.LoadRoleCounters())
        {
            statistics.For(counters.Role).Seed(counters);
        }

        var entries = new Dictionary<string, TaskEntry>(StringComparer.Ordinal);
        foreach (var (state, context, specHash) in reader.LoadActive())
        {
            entries[state.Id] = new TaskEntry(state, context, specHash, isNew: false);
        }

        var work = reader.LoadWork().Where(item => entries.ContainsKey(item.TaskId)).ToList();
        foreach (var item in work)
        {
            var entry = entries[item.TaskId];
            entry.Work[item.Key] = item;
            entry.PersistedWork[item.Key] = item;
            if (item.Kind == WorkKind.Attempt)
            {
                item.Requires = BatchContext.RequirementsOf(entry.State, item.Role);
            }
        }

        // Before anything is staged: large-artifact files whose commit never came.
        if (artifacts.RemoveUnnamedFiles() is > 0 and var removed)
        {
            logger.UnnamedArtifactFilesRemoved(removed);
        }

        // Before any attempt is handed out: an open breaker stays open across the restart.
        circuits.Restore(reader.LoadCircuits());

        var unwritten = reader.LoadOutbox();
        journal.Start(entries.Values, unwritten.Count == 0 ? 0 : unwritten.Max(item => item.Id), OnCommitted, OnJournalFault, dispatcher.Revive, PromiseWrites);
        foreach (var entry in entries.Values)
        {
            active.Publish(entry);
        }

        checkpointer.Start();
        scheduler.Start();
        foreach (var item in unwritten)
        {
            outbox.Promise(item);
            outbox.Enqueue(item);
        }

        outbox.Start();
        foreach (var lease in carriedOver.LoadCanceledLeases(time.GetUtcNow(), Dispatcher.CanceledLeaseMemory))
        {
            dispatcher.RememberCanceledLease(lease);
        }

        foreach (var item in work)
        {
            dispatcher.Schedule(item);
        }

        localRunners.Start();
        logger.EngineStarted(database.Path, entries.Count, work.Count(i => i.Kind == WorkKind.Attempt));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        dispatcher.Stop();
        await localRunners.StopAsync(options.ShutdownGrace);
        await scheduler.StopAsync();
        await outbox.StopAsync(TimeSpan.FromSeconds(5));
        await journal.StopAsync();
        await checkpointer.StopAsync();
        logger.EngineStopped();
    }

    /// <summary>
    /// Runs on the journal's commit thread once a batch is durable and before its state is visible: a reader who sees a
    /// task's dead letter named in its view then finds the write pending (and waits for it), never missing.
    /// </summary>
    private void PromiseWrites(BatchEffects effects)
    {
        foreach (var item in effects.Outbox)
        {
            outbox.Promise(item);
        }
    }

    /// <summary>Runs on the journal's commit thread after each commit.</summary>
    private void OnCommitted(BatchEffects effects)
    {
        // Counted before the tasks' new state is published: whoever sees an attempt's outcome finds it counted.
        foreach (var attempt in effects.Attempts)
        {
            statistics.For(attempt.Role).RecordAttempt(attempt.Duration, attempt.Succeeded, attempt.Usage);
        }

        foreach (var entry in effects.Changed)
        {
            active.Publish(entry);
        }

        foreach (var entry in effects.Finished)
        {
            statistics.RecordFinished(Names.Of(entry.Committed.Status));
        }

        foreach (var role in effects.DeadLettered)
        {
            statistics.For(role).RecordDeadLetter();
        }

        dispatcher.Apply(effects);
        foreach (var item in effects.Outbox)
        {
            outbox.Enqueue(item);
        }
    }

    /// <summary>
    /// Memory may be ahead of the database: serving on would answer from state that a restart loses.
    /// Stop the host instead; the next start recovers everything committed.
    /// </summary>
    private void OnJournalFault(Exception exception)
    {
        logger.StoppingAfterStorageFault(exception.Message);
        lifetime.StopApplication();
    }
}
