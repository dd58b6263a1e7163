using System.Globalization;
using System.Reflection;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Storage;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// <c>/api/metrics</c> from the engine's own counters, queues and unfinished tasks, with the journal's profiling
/// figures as diagnostics; <c>/api/health</c> from whether the journal still writes, the database still reads, WAL
/// checkpoints succeed and the disk keeps its minimum free space (unhealthy otherwise), and file writes succeed
/// (degraded otherwise).
/// Health needs no key, so it says nothing about paths or internals.
/// </summary>
public sealed class EngineMetrics(
    TaskDatabase database,
    TaskReader reader,
    WalCheckpointer checkpointer,
    Journal journal,
    Dispatcher dispatcher,
    PendingWrites pending,
    ActiveTasks active,
    EngineStatistics statistics,
    RoleCatalog roles,
    DiskSpace disk,
    OutboxProcessor outbox,
    TimeProvider time) : IEngineMonitor
{
    public const string EngineName = "standalone";

    private static readonly string Version = typeof(EngineMetrics).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

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
            Engine = EngineName,
            Tasks = tasks,
            Completed = tasks[Names.Of(AgentTaskStatus.Completed)],
            Failed = tasks[Names.Of(AgentTaskStatus.Failed)],
            DeadLettered = roleMetrics.Sum(r => r.DeadLettered),
            Roles = roleMetrics,
            Workers = statistics.Workers.Select(w => new WorkerSeen(w.WorkerId, w.Role, w.LastSeen)).OrderBy(w => w.WorkerId, StringComparer.Ordinal).ToList(),
            Diagnostics = Diagnostics(),
        });
    }

    public Task<HealthReport> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["activeTasks"] = active.Count.ToString(CultureInfo.InvariantCulture),
            ["pendingWrites"] = pending.Total.ToString(CultureInfo.InvariantCulture),
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

        if (disk.HealthProblem() is { } low)
        {
            status = "unhealthy";
            checks["disk"] = low;
        }
        else
        {
            checks["disk"] = "ok";
        }

        if (checkpointer.LastError is { } checkpointError)
        {
            // The log grows until a checkpoint succeeds; a full disk is the usual cause.
            status = "unhealthy";
            checks["checkpoint"] = "WAL checkpoints fail: " + checkpointError;
        }

        if (outbox.Retrying is { Count: > 0 } retrying)
        {
            // Tasks go on; their files lag behind until the writes succeed.
            status = status == "healthy" ? "degraded" : status;
            checks["files"] = string.Create(CultureInfo.InvariantCulture, $"{retrying.Count} file writes failing and retried: {retrying.LastFailure}");
        }

        return Task.FromResult(new HealthReport(status, EngineName, Version, time.GetUtcNow(), checks));
    }

    /// <summary>Where the data is and how the journal spends its time: for profiling (the benchmark reads them), behind the read scope.</summary>
    private Dictionary<string, string> Diagnostics() => new(StringComparer.Ordinal)
    {
        ["database"] = database.Path,
        ["commits"] = journal.Commits.ToString(CultureInfo.InvariantCulture),
        ["operations"] = journal.Operations.ToString(CultureInfo.InvariantCulture),
        ["journalApplyMs"] = Milliseconds(journal.ApplyTime),
        ["journalWriteMs"] = Milliseconds(journal.WriteTime),
        ["journalCommitMs"] = Milliseconds(journal.CommitTime),
        ["journalEffectsMs"] = Milliseconds(journal.EffectsTime),
        ["walCheckpointMs"] = Milliseconds(checkpointer.Elapsed),
        ["jitCompiledMethods"] = System.Runtime.JitInfo.GetCompiledMethodCount().ToString(CultureInfo.InvariantCulture),
    };

    private static string Milliseconds(TimeSpan time) => time.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
}
