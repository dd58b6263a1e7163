using System.Security.Cryptography;
using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Standalone.Storage;
using Microsoft.Extensions.Hosting;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The remote worker protocol over the dispatcher's role queues. A lease takes the next due attempt off its role's
/// queue and records the lease in the same journal operation that starts the attempt; a heartbeat extends it;
/// complete and fail hand the result to the <see cref="AttemptReporter"/>; a release puts the attempt back
/// untouched. A lease whose attempt was retried, timed out or ended answers null (410); one whose task was canceled
/// still takes its result, which is kept as discarded (remembered in the database, so also after a restart).
/// </summary>
public sealed class RemoteLeases(
    Journal journal,
    Dispatcher dispatcher,
    AttemptReporter reporter,
    EngineStatistics statistics,
    AttemptInstruments instruments,
    RoleCatalog roles,
    SecurityOptions security,
    DiskSpace disk,
    TimeProvider time,
    IHostApplicationLifetime lifetime) : IWorkerLeases
{
    public async Task<LeaseGrant?> LeaseAsync(string role, string? workerId, IReadOnlySet<string> capabilities, string? taskId, TimeSpan wait, TimeSpan? leaseDuration, CancellationToken cancellationToken)
    {
        var definition = roles.Find(role) ?? throw new ArgumentException($"Role '{role}' is not configured.", nameof(role));
        var lease = leaseDuration ?? definition.LeaseDuration;
        statistics.SeenWorker(workerId, role, time.GetUtcNow());

        // A long-poll ends with "nothing" (204) when the server shuts down, rather than with a broken connection.
        var stopping = lifetime.ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        var queue = dispatcher.QueueFor(role);
        var deadline = time.GetUtcNow() + wait;
        if (disk.IsLow)
        {
            // Below the free-space minimum no result could be stored: hand out nothing, as if the queue were empty.
            await Task.Delay(wait, time, linked.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return null;
        }

        while (true)
        {
            var remaining = deadline - time.GetUtcNow();
            WorkItem? item;
            try
            {
                item = await queue.TakeAsync(capabilities, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, linked.Token, taskId);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            if (item is null)
            {
                return null;
            }

            var leaseId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var granting = journal.ExecuteAsync(context =>
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
                context.AttemptStarted(entry, item, workerId ?? "anonymous");
                return entry.State;
            });

            TaskState? state;
            try
            {
                state = await granting;
            }
            catch (InsufficientStorageException)
            {
                // The grant was undone with its batch (a full disk): the attempt goes back to its queue.
                dispatcher.Revive([item]);
                throw;
            }

            if (state is null)
            {
                if (item.Probe)
                {
                    item.Probe = false;
                    queue.Circuit?.ReleaseProbe();
                }

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

            // A lease recovered from a database written before lease lengths were kept has lost its asked-for length: it
            // goes on at least as long as it had left.
            var left = item.LeaseExpiresAt is { } expires ? expires - context.Now : TimeSpan.Zero;
            item.LeaseDuration ??= left > definition.LeaseDuration ? left : null;
            item.LeaseExpiresAt = context.Now + (item.LeaseDuration ?? definition.LeaseDuration);
            context.LeaseChanged(entry, item);
            if (heartbeat.Progress is not null || heartbeat.Message is not null)
            {
                var message = SecretScreening.ScreenText("message", heartbeat.Message, security.SecretScan);
                context.Apply(entry, new RoleProgressReported(role, item.Attempt, heartbeat.Progress, message));
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
            await journal.ExecuteAsync(context =>
            {
                context.ForgetCanceledLease(leaseId);
                return true;
            });
            return canceled.Role == role;
        }

        if (!dispatcher.TryGetLease(leaseId, out var item) || item.Role != role)
        {
            return false;
        }

        var released = await journal.ExecuteAsync(context =>
        {
            if (item.Removed || item.LeaseId != leaseId || context.FindActive(item.TaskId) is not { } entry || entry.Work.GetValueOrDefault(item.Key) != item)
            {
                return false;
            }

            context.LeaseReleased(entry, item);
            return true;
        });

        if (released && item.Probe)
        {
            // A probe handed back untouched proved nothing: the next attempt may probe.
            item.Probe = false;
            dispatcher.QueueFor(role).Circuit?.ReleaseProbe();
        }

        return released;
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
        // A lease granted before a restart has no start time here: its outcome counts, its latency does not.
        var outcome = await reporter.ReportAsync(item, leaseId, result, item.LeasedAt ?? now, now - item.LeasedAt, cancellationToken);
        if (outcome != ReportOutcome.Stale && item.LeasedAt is { } leasedAt)
        {
            instruments.Record(role, now - leasedAt, AttemptOutcomes.Of(result));
        }

        if (outcome != ReportOutcome.Stale)
        {
            dispatcher.QueueFor(role).Circuit?.Record(CircuitOutcomes.Of(result), item.Probe, now);
        }

        if (canceled || outcome == ReportOutcome.Discarded)
        {
            dispatcher.TryTakeCanceledLease(leaseId, out _);
        }

        return outcome != ReportOutcome.Stale;
    }
}
