using System.Globalization;
using System.Reflection;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Resilience;
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
    CircuitBreakers circuits,
    RoleCatalog roles,
    DiskSpace disk,
    OutboxProcessor outbox,
    TimeProvider time) : IEngineMonitor
{
    /// <summary>The arrival rate is measured over this many minutes.</summary>
    public const int ArrivalMinutes = 5;

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
            var definition = roles.Find(name);
            var inFlight = dispatcher.InFlightCount(name) + dispatcher.LeasedCount(name);
            var lastHour = stats.Recent.Sum(now, RecentActivity.Minutes);
            var ended = lastHour.Succeeded + lastHour.Failed;
            var arrivals = stats.Recent.Sum(now, ArrivalMinutes).Arrivals / (ArrivalMinutes * 60.0);
            double? meanSeconds = ended == 0 ? null : Math.Round(lastHour.Seconds / ended, 3);
            return new RoleMetrics
            {
                Role = name,
                QueueDepth = depth,
                OldestWaitingSeconds = oldest is { } o ? Math.Round(Math.Max(0, (now - o).TotalSeconds), 3) : null,
                InFlight = inFlight,
                Retrying = retrying.GetValueOrDefault(name),
                DeadLettered = stats.DeadLettered,
                Succeeded = stats.Succeeded,
                FailedAttempts = stats.FailedAttempts,
                AttemptLatencyMs = stats.Latency(),
                Usage = stats.Usage,
                Circuit = circuits.For(name) is { } circuit ? CircuitView.From(circuit.State, circuit.Options, now) : null,
                ArrivalRatePerSecond = Math.Round(arrivals, 4),
                MeanAttemptSeconds = meanSeconds,
                FailureRatioLastHour = ended == 0 ? null : Math.Round((double)lastHour.Failed / ended, 4),
                DeadLettersLastHour = lastHour.DeadLetters,
                DesiredWorkers = definition is { Runner: RunnerKind.Remote }
                    ? ScalingHint.DesiredWorkers(depth, inFlight, arrivals, meanSeconds, definition.Alerts.TargetDrainSeconds)
                    : null,
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

    public async Task<HealthReport> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["activeTasks"] = active.Count.ToString(CultureInfo.InvariantCulture),
            ["pendingWrites"] = pending.Total.ToString(CultureInfo.InvariantCulture),
        };
        var status = HealthReport.Healthy;
        if (journal.Fault is { } fault)
        {
            status = HealthReport.Unhealthy;
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
                status = HealthReport.Unhealthy;
                checks["journal"] = "database unreadable: " + ex.Message;
            }
        }

        if (disk.HealthProblem() is { } low)
        {
            status = HealthReport.Unhealthy;
            checks["disk"] = low;
        }
        else
        {
            checks["disk"] = "ok";
        }

        if (checkpointer.LastError is { } checkpointError)
        {
            // The log grows until a checkpoint succeeds; a full disk is the usual cause.
            status = HealthReport.Unhealthy;
            checks["checkpoint"] = "WAL checkpoints fail: " + checkpointError;
        }

        if (outbox.Retrying is { Count: > 0 } retrying)
        {
            // Tasks go on; their files lag behind until the writes succeed.
            status = status == HealthReport.Healthy ? HealthReport.Degraded : status;
            checks["files"] = string.Create(CultureInfo.InvariantCulture, $"{retrying.Count} file writes failing and retried: {retrying.LastFailure}");
        }

        // The reasons: what is down or failing first, then the alerts that fire (only while the engine itself works).
        var reasons = new List<string>();
        foreach (var name in new[] { "journal", "disk", "checkpoint", "files" })
        {
            if (checks.TryGetValue(name, out var check) && check != "ok")
            {
                reasons.Add(check);
            }
        }

        IReadOnlyList<HealthAlert> alerts = [];
        if (status != HealthReport.Unhealthy)
        {
            var metrics = await GetMetricsAsync(cancellationToken);
            alerts = metrics.Roles
                .Where(r => roles.Find(r.Role) is not null)
                .SelectMany(r => RoleHealth.Evaluate(roles.Find(r.Role)!, r))
                .ToList();
            if (alerts.Count > 0)
            {
                status = HealthReport.Degraded;
                reasons.AddRange(alerts.Select(a => a.Message));
            }
        }

        return new HealthReport(status, EngineName, Version, time.GetUtcNow(), checks) { Reasons = reasons, Alerts = alerts };
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
        ["walCheckpoints"] = checkpointer.Checkpoints.ToString(CultureInfo.InvariantCulture),
        ["walBytesWritten"] = journal.WalBytesWritten.ToString(CultureInfo.InvariantCulture),
        ["jitCompiledMethods"] = System.Runtime.JitInfo.GetCompiledMethodCount().ToString(CultureInfo.InvariantCulture),
    };

    private static string Milliseconds(TimeSpan time) => time.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
}
