using System.Collections.Concurrent;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Standalone.Logging;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// Turns committed work rows into action: due attempts go to their role's queue, timers fire
/// events into the journal, leases are tracked and expire. Called on the journal's commit thread after
/// each commit (<see cref="Apply"/>) and once for recovered work at start.
/// </summary>
public sealed class Dispatcher(
    Journal journal,
    WorkScheduler scheduler,
    CircuitBreakers circuits,
    EngineStatistics statistics,
    RoleCatalog roles,
    TimeProvider time,
    ILogger<Dispatcher> logger)
{
    private readonly ConcurrentDictionary<string, RoleQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkItem> _leases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkItem> _canceledLeases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string TaskId, string Role, int Attempt), CancellationTokenSource> _inFlight = new();
    private volatile bool _stopping;

    /// <summary>Work that is live again after an undo waits at least this long, so a disk that is still full is not hammered.</summary>
    private static readonly TimeSpan ReviveDelay = TimeSpan.FromSeconds(1);

    public RoleQueue QueueFor(string role) => _queues.GetOrAdd(role, name =>
    {
        var circuit = circuits.For(name);
        var queue = new RoleQueue(name, circuit, time);
        circuit?.Attach(queue);
        return queue;
    });

    public IEnumerable<RoleQueue> Queues => _queues.Values;

    public bool TryGetLease(string leaseId, out WorkItem item) => _leases.TryGetValue(leaseId, out item!);

    public bool TryTakeCanceledLease(string leaseId, out WorkItem item) => _canceledLeases.TryRemove(leaseId, out item!);

    public bool IsCanceledLease(string leaseId, out WorkItem item) => _canceledLeases.TryGetValue(leaseId, out item!);

    public int LeasedCount(string role) => _leases.Values.Count(i => i.Role == role);

    public int InFlightCount(string role) => _inFlight.Keys.Count(k => k.Role == role);

    /// <summary>Stops handing out due work (shutdown); queued items stay on disk for the next start.</summary>
    public void Stop() => _stopping = true;

    public void Schedule(WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Removed)
        {
            return;
        }

        switch (item.Kind)
        {
            case WorkKind.Attempt when item.LeaseId is not null:
                TrackLease(item);
                break;
            case WorkKind.Attempt:
                if (item.DueAt <= time.GetUtcNow())
                {
                    MakeReady(item);
                }
                else
                {
                    scheduler.At(item.DueAt, () => MakeReady(item), item);
                }

                break;
            case WorkKind.Deadline:
                scheduler.At(item.DueAt, () => Fire(item, new DeadlineReached()), item);
                break;
            case WorkKind.ApprovalTimeout:
                scheduler.At(item.DueAt, () => Fire(item, new ApprovalTimedOut(item.Role.Length == 0 ? null : item.Role, item.DueAt)), item);
                break;
        }
    }

    /// <summary>Carries out what a commit asks for; runs on the journal's commit thread.</summary>
    public void Apply(BatchEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        foreach (var item in effects.Scheduled)
        {
            Schedule(item);
        }

        foreach (var item in effects.Leased)
        {
            if (!item.Removed)
            {
                TrackLease(item);
            }
        }

        foreach (var (item, leaseId) in effects.Released)
        {
            _leases.TryRemove(leaseId, out _);
            MakeReady(item);
        }

        foreach (var item in effects.Withdrawn)
        {
            if (item.LeaseId is { } leaseId && _leases.TryRemove(leaseId, out _) && item.Canceled)
            {
                RememberCanceledLease(item);
            }
        }

        foreach (var key in effects.Canceled)
        {
            if (_inFlight.TryGetValue(key, out var cancellation))
            {
                cancellation.Cancel();
            }
        }
    }

    /// <summary>How long past its expiry a canceled lease is remembered (in memory, and in the database across a restart).</summary>
    public static readonly TimeSpan CanceledLeaseMemory = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A lease whose task was canceled: its worker learns of the cancel on its next heartbeat and may still hand in its
    /// result, until <see cref="CanceledLeaseMemory"/> past the lease's expiry. Also called at start for those recovered.
    /// </summary>
    public void RememberCanceledLease(WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.LeaseId is not { } leaseId)
        {
            return;
        }

        _canceledLeases[leaseId] = item;
        scheduler.At((item.LeaseExpiresAt ?? time.GetUtcNow()) + CanceledLeaseMemory, () => _canceledLeases.TryRemove(leaseId, out _));
    }

    /// <summary>
    /// Hands out again work that a batch undone after a full disk had withdrawn, or whose hand-over failed with it (a
    /// lease not granted, an outcome not recorded): a queue or timer may have dropped it meanwhile. Attempts still
    /// running here are left to finish; queues never hold an item twice.
    /// </summary>
    public void Revive(IEnumerable<WorkItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var earliest = time.GetUtcNow() + ReviveDelay;
        foreach (var item in items)
        {
            if (item.Removed)
            {
                continue;
            }

            var due = item.DueAt > earliest ? item.DueAt : earliest;
            switch (item.Kind)
            {
                case WorkKind.Attempt when item.LeaseId is { } leaseId:
                    _leases[leaseId] = item;
                    var expires = item.LeaseExpiresAt is { } at && at > earliest ? at : earliest;
                    scheduler.At(expires, () => ExpireLease(item, leaseId), item);
                    break;
                case WorkKind.Attempt:
                    scheduler.At(due, () => MakeReady(item), item);
                    break;
                case WorkKind.Deadline:
                    scheduler.At(due, () => Fire(item, new DeadlineReached()), item);
                    break;
                case WorkKind.ApprovalTimeout:
                    scheduler.At(due, () => Fire(item, new ApprovalTimedOut(item.Role.Length == 0 ? null : item.Role, item.DueAt)), item);
                    break;
            }
        }
    }

    /// <summary>Registers a local attempt as running so a cancel can stop it.</summary>
    public CancellationTokenSource BeginAttempt(WorkItem item, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(item);
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _inFlight[(item.TaskId, item.Role, item.Attempt)] = cancellation;
        return cancellation;
    }

    public void EndAttempt(WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_inFlight.TryRemove((item.TaskId, item.Role, item.Attempt), out var cancellation))
        {
            cancellation.Dispose();
        }
    }

    private void MakeReady(WorkItem item)
    {
        // An attempt running here already (revived while its runner finished) must not run twice.
        if (item.Removed || _stopping || _inFlight.ContainsKey((item.TaskId, item.Role, item.Attempt)))
        {
            return;
        }

        if (!roles.Contains(item.Role))
        {
            // Configuration changed since the task was submitted: nothing can run this role here.
            _ = journal.ExecuteAsync(context =>
            {
                if (context.FindActive(item.TaskId) is { } entry && entry.Work.GetValueOrDefault(item.Key) == item)
                {
                    context.Apply(entry, new RoleAttemptFailed(item.Role, item.Attempt, FailureKind.Permanent, $"role '{item.Role}' is not configured on this host (unknown runner)"));
                }

                return true;
            });
            return;
        }

        statistics.For(item.Role).RecordArrival(time.GetUtcNow());
        QueueFor(item.Role).Enqueue(item);
    }

    private void TrackLease(WorkItem item)
    {
        if (item.LeaseId is not { } leaseId || item.LeaseExpiresAt is not { } expires)
        {
            return;
        }

        _leases[leaseId] = item;
        scheduler.At(expires, () => ExpireLease(item, leaseId), item);
    }

    /// <summary>A lease not extended in time is a transient failure of its attempt.</summary>
    private void ExpireLease(WorkItem item, string leaseId)
    {
        if (item.Removed || item.LeaseId != leaseId)
        {
            return;
        }

        _ = journal.ExecuteAsync(context =>
        {
            var now = context.Now;
            if (item.Removed || item.LeaseId != leaseId || item.LeaseExpiresAt > now
                || context.FindActive(item.TaskId) is not { } entry || entry.Work.GetValueOrDefault(item.Key) != item)
            {
                return false;
            }

            logger.LeaseExpired(item.TaskId, item.Role, item.Attempt, item.WorkerId ?? "unknown");
            circuits.For(item.Role)?.Record(Core.Resilience.CircuitOutcome.Failure, item.Probe, now);
            var message = $"lease expired: worker '{item.WorkerId ?? "unknown"}' neither finished nor sent a heartbeat in time";
            context.Apply(entry, new RoleAttemptFailed(item.Role, item.Attempt, FailureKind.Transient, message));
            // A failed attempt like any other in the role's counters, latency and failure-ratio alert.
            context.CountAttempt(item.Role, succeeded: false, now - (item.LeasedAt ?? now), usage: null);
            AttemptSpans.Record(entry.State.Trace, item.TaskId, item.Role, item.Attempt, item.LeasedAt ?? item.LeaseExpiresAt ?? now, AttemptOutcomes.Failed, FailureKind.Transient, message);
            return true;
        });
    }

    private void Fire(WorkItem item, WorkflowEvent timerEvent)
    {
        if (item.Removed)
        {
            return;
        }

        _ = journal.ExecuteAsync(context =>
        {
            if (context.FindActive(item.TaskId) is { } entry && entry.Work.GetValueOrDefault(item.Key) == item)
            {
                var gate = timerEvent is ApprovalTimedOut timedOut
                    ? timedOut.Role is null ? entry.State.Approval : entry.State.FindRole(timedOut.Role)?.Approval
                    : null;
                if (context.Apply(entry, timerEvent).Applied && gate is { IsPending: true } && timerEvent is ApprovalTimedOut expired)
                {
                    ApprovalSpans.Record(entry.State.Trace, entry.Id, expired.Role, gate.Kind, gate.RequestedAt, ApprovalSpans.TimedOut, null);
                }
            }

            return true;
        });
    }
}
