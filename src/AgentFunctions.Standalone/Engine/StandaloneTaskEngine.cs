using System.Reflection;
using System.Security.Cryptography;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Standalone.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The Standalone engine: recovers unfinished work from SQLite at start, runs it, and serves the
/// API's engine interface. All state changes go through the <see cref="Journal"/>.
/// </summary>
public sealed partial class StandaloneTaskEngine(
    TaskDatabase database,
    TaskReader reader,
    WalCheckpointer checkpointer,
    Journal journal,
    Dispatcher dispatcher,
    WorkScheduler scheduler,
    LocalRunnerPool localRunners,
    OutboxProcessor outbox,
    PendingWrites pending,
    AttemptReporter reporter,
    ActiveTasks active,
    EngineStatistics statistics,
    IDeadLetterStore deadLetters,
    RoleCatalog roles,
    TaskLimits limits,
    WorkflowOptions workflow,
    StandaloneOptions options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<StandaloneTaskEngine> logger) : ITaskEngine, IHostedService
{
    /// <summary>How long a read waits for a task's promised files (results, result.json, dead letters) to be written.</summary>
    private static readonly TimeSpan FileCatchUp = TimeSpan.FromSeconds(30);

    private static readonly string Version = typeof(StandaloneTaskEngine).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly CancellationTokenSource _stopping = new();

    public string Name => "standalone";

    /// <summary>The engine stopped itself after a storage failure (the process should exit non-zero and be restarted).</summary>
    public bool Faulted => journal.Fault is not null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        database.Initialize();
        foreach (var (state, count) in reader.CountByStatus())
        {
            if (Names.TryParse<AgentTaskStatus>(state, out var status) && status.IsTerminal())
            {
                statistics.Seed(state, count);
            }
        }

        var entries = new Dictionary<string, TaskEntry>(StringComparer.Ordinal);
        foreach (var (state, context, specHash) in reader.LoadActive())
        {
            entries[state.Id] = new TaskEntry(state, context, specHash, isNew: false);
        }

        var work = reader.LoadWork().Where(item => entries.ContainsKey(item.TaskId)).ToList();
        foreach (var item in work)
        {
            entries[item.TaskId].Work[item.Key] = item;
            entries[item.TaskId].PersistedWork[item.Key] = item;
        }

        var unwritten = reader.LoadOutbox();
        journal.Start(entries.Values, unwritten.Count == 0 ? 0 : unwritten.Max(item => item.Id), OnCommitted, OnJournalFault);
        foreach (var entry in entries.Values)
        {
            active.Publish(entry);
        }

        checkpointer.Start();
        scheduler.Start();
        foreach (var item in unwritten)
        {
            outbox.Enqueue(item);
        }

        outbox.Start();
        foreach (var item in work)
        {
            dispatcher.Schedule(item);
        }

        localRunners.Start();
        LogStarted(database.Path, entries.Count, work.Count(i => i.Kind == WorkKind.Attempt));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        dispatcher.Stop();
        await localRunners.StopAsync(options.ShutdownGrace);
        await scheduler.StopAsync();
        await outbox.StopAsync(TimeSpan.FromSeconds(5));
        await journal.StopAsync();
        await checkpointer.StopAsync();
        LogStopped();
    }

    public async Task<SubmitResult> SubmitAsync(TaskPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var hash = SpecFingerprint.Compute(plan.Spec);

        // Files are written behind task processing; a backlog past its bound holds new tasks back, not memory.
        await pending.WhenBacklogAllowsAsync(cancellationToken);
        var outcome = await journal.ExecuteAsync(context =>
        {
            if (context.FindSpecHash(plan.Id) is { } existing)
            {
                return existing == hash ? SubmitOutcome.Identical : SubmitOutcome.Conflict;
            }

            context.Start(plan, hash);
            return SubmitOutcome.Created;
        });

        // The API answers with links only; a view would be projected for nothing on the hottest path.
        return new SubmitResult(outcome, null);
    }

    public Task<TaskSnapshot?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var state = active.Find(taskId) ?? reader.GetTask(taskId);
        return Task.FromResult(state is null ? null : Snapshot(state));
    }

    /// <summary>Results and spec files are written from the outbox right after their commit.</summary>
    public Task WhenArtifactsWrittenAsync(string taskId, CancellationToken cancellationToken) =>
        pending.WhenDoneAsync(taskId, FileCatchUp, cancellationToken);

    public Task<Page<TaskSnapshot>> ListAsync(TaskQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (items, token) = reader.ListTasks(query.State, query.Role, query.Top, query.ContinuationToken);
        return Task.FromResult(new Page<TaskSnapshot>(items.Select(Snapshot).ToList(), token));
    }

    /// <summary>Applied or ignored in the same journal operation that reads the task: no check-then-act race.</summary>
    public Task<RaiseOutcome> RaiseAsync(string taskId, WorkflowEvent externalEvent, CancellationToken cancellationToken) =>
        journal.ExecuteAsync(context =>
        {
            if (context.FindActive(taskId) is not { } entry)
            {
                return context.FindSpecHash(taskId) is null ? RaiseOutcome.NotFound : RaiseOutcome.Ignored;
            }

            return context.Apply(entry, externalEvent).Applied ? RaiseOutcome.Applied : RaiseOutcome.Ignored;
        });

    public async Task<PurgeOutcome> PurgeAsync(string taskId, CancellationToken cancellationToken)
    {
        var outcome = await journal.ExecuteAsync(context =>
        {
            if (context.FindActive(taskId) is not null)
            {
                return PurgeOutcome.StillRunning;
            }

            if (context.FindSpecHash(taskId) is null)
            {
                return PurgeOutcome.NotFound;
            }

            context.Purge(taskId);
            return PurgeOutcome.Purged;
        });

        if (outcome == PurgeOutcome.Purged)
        {
            await pending.WhenDoneAsync(taskId, FileCatchUp, cancellationToken);
        }

        return outcome;
    }

    public async Task<Page<DeadLetterRecord>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken)
    {
        await pending.WhenDeadLettersWrittenAsync(FileCatchUp, cancellationToken);
        var page = await deadLetters.ListAsync(query, cancellationToken);
        return new Page<DeadLetterRecord>(page.Items, page.ContinuationToken);
    }

    public async Task<DeadLetterRecord?> GetDeadLetterAsync(string id, CancellationToken cancellationToken)
    {
        await pending.WhenDeadLettersWrittenAsync(FileCatchUp, cancellationToken);
        return await deadLetters.GetAsync(id, cancellationToken);
    }

    public async Task<bool> DeleteDeadLetterAsync(string id, CancellationToken cancellationToken)
    {
        await pending.WhenDeadLettersWrittenAsync(FileCatchUp, cancellationToken);
        return await deadLetters.DeleteAsync(id, cancellationToken);
    }

    public async Task<ReplayResult> ReplayDeadLetterAsync(string id, CancellationToken cancellationToken)
    {
        var record = await GetDeadLetterAsync(id, cancellationToken);
        if (record is null)
        {
            return ReplayResult.NotFound;
        }

        if (record.ReplayedAs is { } replayedAs)
        {
            return new ReplayResult(ReplayOutcome.Conflict, replayedAs, $"dead letter '{id}' was already replayed as task '{replayedAs}'");
        }

        if (record.Spec is not { } original)
        {
            return new ReplayResult(ReplayOutcome.Conflict, null, $"dead letter '{id}' carries no task spec to replay");
        }

        var spec = original with { Id = null, To = [record.Role], Stages = null, ReplayOf = id };
        var validation = new TaskSpecValidator(roles, limits).Validate(spec);
        if (!validation.IsValid)
        {
            return new ReplayResult(ReplayOutcome.Conflict, null, $"dead letter '{id}' cannot be replayed: {string.Join("; ", validation.Errors)}");
        }

        var baseId = record.TaskId.Length > 90 ? record.TaskId[..90] : record.TaskId;
        var taskId = await journal.ExecuteAsync(context =>
        {
            for (var n = 1; ; n++)
            {
                var candidate = $"{baseId}.r{n}";
                var candidateSpec = validation.Spec! with { Id = candidate };
                var hash = SpecFingerprint.Compute(candidateSpec);
                var existing = context.FindSpecHash(candidate);
                if (existing == hash)
                {
                    return candidate;
                }

                if (existing is null)
                {
                    context.Start(TaskPlan.Create(candidateSpec, roles, workflow), hash);
                    context.Outbox(candidate, OutboxKinds.LinkReplay, new ReplayLink(id, context.Now));
                    return candidate;
                }
            }
        });

        await pending.WhenDoneAsync(taskId, FileCatchUp, cancellationToken);
        return new ReplayResult(ReplayOutcome.Replayed, taskId, null);
    }

    public async Task<LeaseGrant?> LeaseAsync(string role, string? workerId, TimeSpan wait, TimeSpan? leaseDuration, CancellationToken cancellationToken)
    {
        var definition = roles.Find(role) ?? throw new ArgumentException($"Role '{role}' is not configured.", nameof(role));
        var lease = leaseDuration ?? definition.LeaseDuration;
        statistics.SeenWorker(workerId, role, time.GetUtcNow());
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var queue = dispatcher.QueueFor(role);
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            var remaining = deadline - time.GetUtcNow();
            WorkItem? item;
            try
            {
                item = await queue.DequeueAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, linked.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            if (item is null)
            {
                return null;
            }

            var leaseId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var state = await journal.ExecuteAsync(context =>
            {
                if (context.FindActive(item.TaskId) is not { } entry || entry.Work.GetValueOrDefault(item.Key) != item || item.LeaseId is not null)
                {
                    return null;
                }

                item.LeaseId = leaseId;
                item.LeaseExpiresAt = context.Now + lease;
                item.LeaseDuration = leaseDuration;
                item.WorkerId = workerId;
                item.LeasedAt = context.Now;
                context.LeaseChanged(entry, item);
                context.Apply(entry, new RoleAttemptStarted(item.Role, item.Attempt));
                return entry.State;
            });

            if (state is null)
            {
                continue;
            }

            var attempt = await reporter.BuildAttemptAsync(state, item, CancellationToken.None);
            return new LeaseGrant
            {
                LeaseId = leaseId,
                TaskId = item.TaskId,
                Role = item.Role,
                Attempt = item.Attempt,
                MaxAttempts = attempt.MaxAttempts,
                Prompt = attempt.Prompt,
                LeaseExpiresAt = item.LeaseExpiresAt!.Value,
                LeaseSeconds = (int)lease.TotalSeconds,
                Input = attempt,
            };
        }
    }

    public async Task<HeartbeatResponse?> HeartbeatAsync(string role, string leaseId, HeartbeatRequest heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        if (dispatcher.IsCanceledLease(leaseId, out var canceled) && canceled.Role == role)
        {
            return new HeartbeatResponse(leaseId, canceled.LeaseExpiresAt ?? time.GetUtcNow(), Canceled: true);
        }

        if (!dispatcher.TryGetLease(leaseId, out var item) || item.Role != role || roles.Find(role) is not { } definition)
        {
            return null;
        }

        statistics.SeenWorker(item.WorkerId, role, time.GetUtcNow());
        return await journal.ExecuteAsync(context =>
        {
            if (item.Removed || item.LeaseId != leaseId || context.FindActive(item.TaskId) is not { } entry)
            {
                return item.Canceled ? new HeartbeatResponse(leaseId, item.LeaseExpiresAt ?? context.Now, Canceled: true) : null;
            }

            item.LeaseExpiresAt = context.Now + (item.LeaseDuration ?? definition.LeaseDuration);
            context.LeaseChanged(entry, item);
            if (heartbeat.Progress is not null || heartbeat.Message is not null)
            {
                context.Apply(entry, new RoleProgressReported(role, item.Attempt, heartbeat.Progress, heartbeat.Message));
            }

            return new HeartbeatResponse(leaseId, item.LeaseExpiresAt.Value, Canceled: false);
        });
    }

    public Task<bool> CompleteAsync(string role, string leaseId, AgentResult result, CancellationToken cancellationToken) =>
        HandInAsync(role, leaseId, result, cancellationToken);

    public Task<bool> FailAsync(string role, string leaseId, FailRequest failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var reason = string.IsNullOrWhiteSpace(failure.Reason) ? "the worker reported a failure" : failure.Reason;
        return HandInAsync(role, leaseId, AgentResult.Failed(reason, failure.Permanent), cancellationToken);
    }

    public async Task<bool> ReleaseAsync(string role, string leaseId, CancellationToken cancellationToken)
    {
        if (dispatcher.TryTakeCanceledLease(leaseId, out var canceled))
        {
            // Its task ended meanwhile: there is nothing to offer again, and nothing left to release.
            return canceled.Role == role;
        }

        if (!dispatcher.TryGetLease(leaseId, out var item) || item.Role != role)
        {
            return false;
        }

        return await journal.ExecuteAsync(context =>
        {
            if (item.Removed || item.LeaseId != leaseId || context.FindActive(item.TaskId) is not { } entry || entry.Work.GetValueOrDefault(item.Key) != item)
            {
                return false;
            }

            context.LeaseReleased(entry, item);
            return true;
        });
    }

    public Task<MetricsSnapshot> GetMetricsAsync(CancellationToken cancellationToken)
    {
        var tasks = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var state in Enum.GetValues<AgentTaskStatus>())
        {
            tasks[Names.Of(state)] = statistics.Finished.GetValueOrDefault(Names.Of(state));
        }

        var retrying = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var state in active.All)
        {
            tasks[Names.Of(state.Status)]++;
            foreach (var role in state.Roles.Where(r => r.Status == RoleStatus.Retrying))
            {
                retrying[role.Role] = retrying.GetValueOrDefault(role.Role) + 1;
            }
        }

        var now = time.GetUtcNow();
        var roleNames = roles.Names.Union(statistics.Roles.Keys).Order(StringComparer.Ordinal);
        var roleMetrics = roleNames.Select(name =>
        {
            var (depth, oldest) = dispatcher.QueueFor(name).Snapshot();
            var stats = statistics.For(name);
            return new RoleMetrics
            {
                Role = name,
                QueueDepth = depth,
                OldestWaitingSeconds = oldest is { } o ? Math.Round(Math.Max(0, (now - o).TotalSeconds), 3) : null,
                InFlight = dispatcher.InFlightCount(name) + dispatcher.LeasedCount(name),
                Retrying = retrying.GetValueOrDefault(name),
                DeadLettered = stats.DeadLettered,
                Succeeded = stats.Succeeded,
                FailedAttempts = stats.FailedAttempts,
                AttemptLatencyMs = stats.Latency(),
                Usage = stats.Usage,
            };
        }).ToList();

        return Task.FromResult(new MetricsSnapshot
        {
            GeneratedAt = now,
            Engine = Name,
            Tasks = tasks,
            Completed = tasks[Names.Of(AgentTaskStatus.Completed)],
            Failed = tasks[Names.Of(AgentTaskStatus.Failed)],
            DeadLettered = roleMetrics.Sum(r => r.DeadLettered),
            Roles = roleMetrics,
            Workers = statistics.Workers.Select(w => new WorkerSeen(w.WorkerId, w.Role, w.LastSeen)).OrderBy(w => w.WorkerId, StringComparer.Ordinal).ToList(),
        });
    }

    public Task<HealthReport> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["database"] = database.Path,
            ["activeTasks"] = active.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["pendingWrites"] = pending.Total.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["commits"] = journal.Commits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["operations"] = journal.Operations.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["journalApplyMs"] = journal.ApplyTime.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
            ["journalWriteMs"] = journal.WriteTime.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
            ["journalCommitMs"] = journal.CommitTime.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
            ["jitCompiledMethods"] = System.Runtime.JitInfo.GetCompiledMethodCount().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["journalEffectsMs"] = journal.EffectsTime.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
            ["walCheckpointMs"] = checkpointer.Elapsed.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
        };
        var status = "healthy";
        if (journal.Fault is { } fault)
        {
            status = "unhealthy";
            checks["journal"] = "stopped after a storage failure: " + fault.Message;
        }
        else
        {
            try
            {
                reader.CountByStatus();
                checks["journal"] = "ok";
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                status = "unhealthy";
                checks["journal"] = "database unreadable: " + ex.Message;
            }
        }

        return Task.FromResult(new HealthReport(status, Name, Version, time.GetUtcNow(), checks));
    }

    private async Task<bool> HandInAsync(string role, string leaseId, AgentResult result, CancellationToken cancellationToken)
    {
        var canceled = false;
        if (!dispatcher.TryGetLease(leaseId, out var item) || item.Role != role)
        {
            if (!dispatcher.IsCanceledLease(leaseId, out item) || item.Role != role)
            {
                return false;
            }

            canceled = true;
        }

        var now = time.GetUtcNow();
        statistics.SeenWorker(item.WorkerId, role, now);
        var outcome = await reporter.ReportAsync(item, leaseId, result, cancellationToken);
        if (outcome != ReportOutcome.Stale && item.LeasedAt is { } leasedAt)
        {
            statistics.For(role).RecordAttempt(now - leasedAt, result.Status != AgentResultStatus.Failed, result.Usage);
        }

        if (canceled || outcome == ReportOutcome.Discarded)
        {
            dispatcher.TryTakeCanceledLease(leaseId, out _);
        }

        return outcome != ReportOutcome.Stale;
    }

    /// <summary>Runs on the journal's commit thread after each commit.</summary>
    private void OnCommitted(BatchEffects effects)
    {
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
        LogStoppingAfterFault(exception.Message);
        lifetime.StopApplication();
    }

    private static TaskSnapshot Snapshot(TaskState state) =>
        new(TaskViewProjector.ToView(state), state.Spec, TaskViewProjector.ToResult(state));

    [LoggerMessage(Level = LogLevel.Information, Message = "Standalone engine started on {Database}: {Tasks} unfinished tasks, {Attempts} attempts to run")]
    private partial void LogStarted(string database, int tasks, int attempts);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stopping the server after a storage failure ({Reason}); restart it to recover from the database")]
    private partial void LogStoppingAfterFault(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Standalone engine stopped")]
    private partial void LogStopped();
}
