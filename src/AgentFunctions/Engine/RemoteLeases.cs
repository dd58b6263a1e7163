using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Hosting;
using AgentFunctions.Logging;
using AgentFunctions.Orchestration;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Engine;

/// <summary>
/// The remote worker protocol over the per-role work queues. A lease is a receive with the role's lease
/// duration as visibility timeout; a heartbeat extends the visibility (new pop receipt, new lease id). Both tell
/// the waiting sub-orchestration the new expiry (<c>lease-&lt;attempt&gt;</c>), which times the attempt out when
/// it passes; a release tells it the attempt waits in the queue again. Complete and fail raise the attempt's result
/// on the sub-orchestration, then delete the message. A lease whose message or pop receipt is gone answers null
/// (410). A message received again after its lease expired is reported as a transient "lease expired" failure of
/// that attempt (unless the sub-orchestration's own timer already did).
/// </summary>
public sealed class RemoteLeases(
    DurableClientAccessor clients,
    WorkQueues queues,
    IArtifactStore artifacts,
    AttemptResultWriter writer,
    CircuitStore circuits,
    SecurityOptions security,
    RoleCatalog roles,
    AttemptInstruments instruments,
    TimeProvider time,
    ILogger<RemoteLeases> logger) : IWorkerLeases
{
    /// <summary>How often an empty queue is polled during a long-poll lease.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long complete/fail hold the message while they store the result and raise the event.</summary>
    public static readonly TimeSpan SettleHold = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Leases the next attempt the worker can take. The role's circuit breaker is asked first (an open breaker hands out
    /// nothing; a half-open one lets this lease take its probe). Then the role's work queues whose requirements the
    /// worker's capabilities cover are tried in priority order; among queues of one priority, the one whose first
    /// message is oldest first. Storage Queues deliver roughly in order, so within a queue the order is approximate;
    /// across priorities it holds for what the queues show at the moment of the lease. No message is received that
    /// the worker cannot take, so none is ever moved or lost. With <paramref name="taskId"/>, only that task's attempt.
    /// </summary>
    public async Task<LeaseGrant?> LeaseAsync(string role, string? workerId, IReadOnlySet<string> capabilities, string? taskId, TimeSpan wait, TimeSpan? requestedLease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        var leaseDuration = requestedLease ?? LeaseDuration(role);
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var admission = await circuits.AdmitAsync(role, cancellationToken);
            if (admission.Runs)
            {
                var probe = admission.Verdict == CircuitVerdict.Probe;
                var leased = taskId is null
                    ? await TryLeaseAsync(role, workerId, capabilities, leaseDuration, probe, cancellationToken)
                    : await TryLeaseTaskAsync(role, taskId, workerId, capabilities, leaseDuration, probe, cancellationToken);
                if (leased is { } grant)
                {
                    return grant;
                }

                if (probe)
                {
                    await circuits.ReleaseProbeAsync(role, cancellationToken);
                }
            }

            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            await Task.Delay(remaining < PollInterval ? remaining : PollInterval, time, cancellationToken);
        }
    }

    /// <summary>One pass over the role's routes the worker can serve, highest priority first; null when none had work for it.</summary>
    private async Task<LeaseGrant?> TryLeaseAsync(string role, string? workerId, IReadOnlySet<string> capabilities, TimeSpan leaseDuration, bool probe, CancellationToken cancellationToken)
    {
        var routes = (await queues.RoutesAsync(role, cancellationToken) ?? [WorkRoute.Default(role)])
            .Where(r => r.Requires.All(capabilities.Contains))
            .GroupBy(r => r.Priority)
            .OrderByDescending(g => g.Key);
        foreach (var level in routes)
        {
            foreach (var queue in await OldestFirstAsync(level.ToList(), cancellationToken))
            {
                while (true)
                {
                    var message = (await queue.ReceiveMessageAsync(leaseDuration, cancellationToken)).Value;
                    if (message is null)
                    {
                        break;
                    }

                    if (await TryGrantAsync(queue, role, message, workerId, leaseDuration, probe, cancellationToken) is { } grant)
                    {
                        return grant;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The queues of one priority, the one whose first waiting message is oldest first (a single queue as is).</summary>
    private async Task<List<QueueClient>> OldestFirstAsync(List<WorkRoute> level, CancellationToken cancellationToken)
    {
        if (level.Count == 1)
        {
            return [queues.For(level[0])];
        }

        var heads = new List<(QueueClient Queue, DateTimeOffset Inserted)>();
        foreach (var route in level)
        {
            var queue = queues.For(route);
            try
            {
                if ((await queue.PeekMessageAsync(cancellationToken)).Value is { InsertedOn: { } inserted })
                {
                    heads.Add((queue, inserted));
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Not created yet: nothing waits on it.
            }
        }

        return heads.OrderBy(h => h.Inserted).Select(h => h.Queue).ToList();
    }

    public async Task<HeartbeatResponse?> HeartbeatAsync(string role, string leaseId, HeartbeatRequest heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        if (await FindAsync(role, leaseId, cancellationToken) is not { } lease)
        {
            return null;
        }

        var client = clients.Current;
        var status = await WaitingStatusAsync(client, lease.Record.InstanceId, cancellationToken);
        if (status is { Attempt: > 0 } && status.Attempt != lease.Record.Attempt)
        {
            // The lease expired and the attempt was counted as failed (a retry is on its way): gone, as in the Standalone engine.
            await artifacts.DeleteAsync(RemotePaths.Lease(role, lease.MessageId), cancellationToken);
            return null;
        }

        if (status is null && lease.Record.ExpiresAt <= time.GetUtcNow())
        {
            // The lease lapsed and the role ended meanwhile (its last attempt ran out): gone, as in the Standalone
            // engine, not canceled; the worker reads the task view to learn how it ended.
            await artifacts.DeleteAsync(RemotePaths.Lease(role, lease.MessageId), cancellationToken);
            return null;
        }

        var leaseDuration = lease.Record.LeaseSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : LeaseDuration(role);
        if (await HoldAsync(lease, leaseDuration, cancellationToken) is not { } receipt)
        {
            return null;
        }

        // The role's orchestration ended: the task was canceled (or ended otherwise); the worker should stop.
        var canceled = status is null;
        if (!canceled)
        {
            await RaiseLeaseAsync(client, lease.Record, receipt.NextVisibleOn, cancellationToken);
        }

        if (!canceled && (heartbeat.Progress is not null || heartbeat.Message is not null))
        {
            await client.RaiseEventAsync(
                lease.Record.TaskId,
                OrchestrationEvents.Progress,
                new ProgressEventPayload(role, lease.Record.Attempt, heartbeat.Progress, SecretScreening.ScreenText("message", heartbeat.Message, security.SecretScan)),
                cancellationToken);
        }

        var now = time.GetUtcNow();
        await artifacts.WriteJsonAsync(RemotePaths.Lease(role, lease.MessageId), lease.Record with { LastSeenAt = now, ExpiresAt = receipt.NextVisibleOn }, cancellationToken);
        return new HeartbeatResponse(LeaseToken.Encode(lease.MessageId, receipt.PopReceipt), receipt.NextVisibleOn, canceled);
    }

    public async Task<bool> CompleteAsync(string role, string leaseId, AgentResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Status == AgentResultStatus.Failed)
        {
            var reason = string.IsNullOrWhiteSpace(result.Summary) ? "the worker reported a failure" : result.Summary.Trim();
            return await FailAsync(role, leaseId, new FailRequest { Reason = reason, Permanent = result.Permanent }, cancellationToken);
        }

        if (await FindAsync(role, leaseId, cancellationToken) is not { } lease
            || await HoldAsync(lease, SettleHold, cancellationToken) is not { } receipt)
        {
            return false;
        }

        var record = lease.Record;
        var client = clients.Current;
        var (screened, warnings) = SecretScreening.ScreenResult(result, security.SecretScan);
        var stored = await writer.WriteAsync(record.TaskId, role, record.Attempt, screened, cancellationToken) with { Warnings = warnings.Count > 0 ? warnings : null };
        await RecordAsync(role, CircuitOutcome.Success, record.Probe);
        if (await IsCurrentAsync(client, record.InstanceId, record.Attempt, cancellationToken))
        {
            var outcome = RemoteAttemptResult.Success(record.Attempt, stored, result.Status == AgentResultStatus.NeedsApproval);
            await client.RaiseEventAsync(record.InstanceId, OrchestrationEvents.RemoteResult(record.Attempt), outcome, cancellationToken);
            Ended(record, result);
        }
        else
        {
            // The task ended or the attempt was superseded: keep the work, apart from the real results.
            await writer.DiscardAsync(record.TaskId, role, record.Attempt, stored, cancellationToken);
            logger.LateResultDiscarded(record.TaskId, role, record.Attempt);
        }

        await ReleaseAsync(lease.Record, lease.MessageId, receipt.PopReceipt, cancellationToken);
        return true;
    }

    public async Task<bool> FailAsync(string role, string leaseId, FailRequest failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (await FindAsync(role, leaseId, cancellationToken) is not { } lease
            || await HoldAsync(lease, SettleHold, cancellationToken) is not { } receipt)
        {
            return false;
        }

        var record = lease.Record;
        var client = clients.Current;
        await RecordAsync(role, failure.Permanent ? CircuitOutcome.Ignored : CircuitOutcome.Failure, record.Probe);
        if (await IsCurrentAsync(client, record.InstanceId, record.Attempt, cancellationToken))
        {
            var kind = failure.Permanent ? FailureKind.Permanent : FailureKind.Transient;
            var reason = SecretScreening.ScreenText("reason", string.IsNullOrWhiteSpace(failure.Reason) ? "the worker reported a failure" : failure.Reason.Trim(), security.SecretScan)!;
            await client.RaiseEventAsync(record.InstanceId, OrchestrationEvents.RemoteResult(record.Attempt), RemoteAttemptResult.Failure(record.Attempt, kind, reason), cancellationToken);
            Ended(record, AgentResult.Failed(reason, failure.Permanent));
        }

        await ReleaseAsync(lease.Record, lease.MessageId, receipt.PopReceipt, cancellationToken);
        return true;
    }

    /// <summary>
    /// Hands an attempt back: the message is replaced by a fresh copy (so its dequeue count starts over and the
    /// next receive is not taken for an expired lease) and the attempt is offered again under the same number.
    /// </summary>
    public async Task<bool> ReleaseAsync(string role, string leaseId, CancellationToken cancellationToken)
    {
        if (await FindAsync(role, leaseId, cancellationToken) is not { } lease
            || await HoldAsync(lease, SettleHold, cancellationToken) is not { } receipt)
        {
            return false;
        }

        var record = lease.Record;
        var client = clients.Current;
        if (await IsCurrentAsync(client, record.InstanceId, record.Attempt, cancellationToken))
        {
            // Back to waiting first, so the sub-orchestration stops timing a lease nobody holds; then where it waits.
            await RaiseLeaseAsync(client, record, null, cancellationToken);
            var message = new RemoteWorkMessage(record.TaskId, role, record.Attempt, record.InstanceId, (int)LeaseDuration(role).TotalSeconds) { Queue = QueueOf(record).Name, Trace = record.Trace };
            var sent = (await QueueOf(record).SendMessageAsync(JsonSerializer.Serialize(message, CoreJson.Options), cancellationToken)).Value;
            await client.RaiseEventAsync(
                record.InstanceId,
                OrchestrationEvents.RemoteLease(record.Attempt),
                new RemoteLeaseEvent(record.Attempt, null, record.WorkerId, LeaseToken.Encode(sent.MessageId, sent.PopReceipt)),
                cancellationToken);
            if (record.Probe)
            {
                // A probe handed back untouched proved nothing: the next lease may probe.
                await circuits.ReleaseProbeAsync(role, cancellationToken);
            }
        }

        await ReleaseAsync(lease.Record, lease.MessageId, receipt.PopReceipt, cancellationToken);
        return true;
    }

    /// <summary>
    /// One try at leasing one task's attempt: the sub-orchestration's status holds the send receipt of the attempt's
    /// queue message, so that message (and no other) is taken by updating it: invisible for the lease, marked claimed.
    /// A receipt that no longer matches means a worker received the message meanwhile (or it was released and the
    /// orchestration has not heard yet); an attempt whose requirements the worker's capabilities do not cover is not
    /// taken. Null when there was nothing to take now.
    /// </summary>
    private async Task<LeaseGrant?> TryLeaseTaskAsync(
        string role, string taskId, string? workerId, IReadOnlySet<string> capabilities, TimeSpan leaseDuration, bool probe, CancellationToken cancellationToken)
    {
        var instanceId = OrchestrationNames.RemoteInstanceId(taskId, role);
        var client = clients.Current;
        if (await WaitingStatusAsync(client, instanceId, cancellationToken) is not { Queued: { } queued } status
            || !LeaseToken.TryDecode(queued, out var messageId, out var popReceipt)
            || await artifacts.ReadJsonAsync<AgentAttempt>(RemotePaths.Envelope(taskId, role, status.Attempt), cancellationToken) is not { } envelope
            || !envelope.Requires.All(capabilities.Contains))
        {
            return null;
        }

        // The attempt's message waits on the queue of its route (role, priority and requirements).
        var route = WorkQueues.RouteOf(role, envelope.Priority, envelope.Requires);
        var queue = queues.For(route);
        var claimed = new RemoteWorkMessage(taskId, role, status.Attempt, instanceId, (int)LeaseDuration(role).TotalSeconds, Claimed: true)
        {
            Queue = queue.Name,
            Trace = status.Trace,
        };
        UpdateReceipt receipt;
        try
        {
            receipt = (await queue.UpdateMessageAsync(messageId, popReceipt, JsonSerializer.Serialize(claimed, CoreJson.Options), leaseDuration, cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            return null; // received by a worker (or gone) since the receipt was recorded
        }

        return await GrantAsync(queue, role, new HeldMessage(messageId, receipt.PopReceipt, receipt.NextVisibleOn), claimed, workerId, leaseDuration, probe, cancellationToken);
    }

    /// <summary>The leases held now (records are deleted on complete and fail), for "worker last seen".</summary>
    public async Task<IReadOnlyList<LeaseRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var records = new List<LeaseRecord>();
        await foreach (var info in artifacts.ListAsync(RemotePaths.LeasesPrefix, cancellationToken))
        {
            try
            {
                if (await artifacts.ReadJsonAsync<LeaseRecord>(info.Path, cancellationToken) is { } record)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
                // A half-understood record only costs a line in the metrics.
            }
        }

        return records;
    }

    private async Task<LeaseGrant?> TryGrantAsync(
        QueueClient queue, string role, QueueMessage message, string? workerId, TimeSpan leaseDuration, bool probe, CancellationToken cancellationToken)
    {
        var work = Parse(message);
        if (work is null || work.Role != role)
        {
            logger.MalformedWorkMessage(queue.Name, message.MessageId);
            await DeleteMessageAsync(queue, message.MessageId, message.PopReceipt, cancellationToken);
            return null;
        }

        var client = clients.Current;
        if (message.DequeueCount > 1 || work.Claimed)
        {
            // Visible again: whoever leased it before neither completed nor failed it in time. That counts as a failure
            // of the role for its circuit breaker (once: the message is deleted here).
            var expiredLease = await artifacts.ReadJsonAsync<LeaseRecord>(RemotePaths.Lease(role, message.MessageId), cancellationToken);
            await RecordAsync(role, CircuitOutcome.Failure, expiredLease?.Probe == true);
            const string Expired = "lease expired: the worker neither completed nor failed the attempt in time";
            if (await IsCurrentAsync(client, work.InstanceId, work.Attempt, cancellationToken))
            {
                var expired = RemoteAttemptResult.Failure(work.Attempt, FailureKind.Transient, Expired);
                await client.RaiseEventAsync(work.InstanceId, OrchestrationEvents.RemoteResult(work.Attempt), expired, cancellationToken);
            }

            if (work.Trace is not null && AgentTelemetry.Source.HasListeners())
            {
                // The attempt's span ends here (or ended at the sub-orchestration's own timer, which cannot record one).
                var started = expiredLease?.LeasedAt ?? message.InsertedOn ?? time.GetUtcNow();
                AttemptSpans.Record(work.Trace, work.TaskId, role, work.Attempt, started, AttemptOutcomes.Failed, FailureKind.Transient, Expired);
            }

            logger.LeaseExpired(work.TaskId, role, work.Attempt);
            await DeleteMessageAsync(queue, message.MessageId, message.PopReceipt, cancellationToken);
            await artifacts.DeleteAsync(RemotePaths.Lease(role, message.MessageId), cancellationToken);
            return null;
        }

        return await GrantAsync(queue, role, new HeldMessage(message.MessageId, message.PopReceipt, message.NextVisibleOn), work, workerId, leaseDuration, probe, cancellationToken);
    }

    /// <summary>Hands a message this lease API holds to a worker, unless its attempt is no longer the current one (<paramref name="probe"/>: the lease is the half-open breaker's probe).</summary>
    private async Task<LeaseGrant?> GrantAsync(
        QueueClient queue, string role, HeldMessage message, RemoteWorkMessage work, string? workerId, TimeSpan leaseDuration, bool probe, CancellationToken cancellationToken)
    {
        var client = clients.Current;
        if (!await IsCurrentAsync(client, work.InstanceId, work.Attempt, cancellationToken))
        {
            // The attempt timed out and was retried, or the task ended: nobody waits for this message.
            logger.SupersededWorkDropped(work.TaskId, role, work.Attempt);
            await DeleteMessageAsync(queue, message.MessageId, message.PopReceipt, cancellationToken);
            return null;
        }

        var envelope = await artifacts.ReadJsonAsync<AgentAttempt>(RemotePaths.Envelope(work.TaskId, role, work.Attempt), cancellationToken);
        if (envelope is null)
        {
            var missing = RemoteAttemptResult.Failure(work.Attempt, FailureKind.Transient, "the attempt envelope is missing from the artifacts");
            await client.RaiseEventAsync(work.InstanceId, OrchestrationEvents.RemoteResult(work.Attempt), missing, cancellationToken);
            await DeleteMessageAsync(queue, message.MessageId, message.PopReceipt, cancellationToken);
            return null;
        }

        var now = time.GetUtcNow();
        var expiresAt = message.NextVisibleOn ?? now + leaseDuration;
        var record = new LeaseRecord(work.TaskId, role, work.Attempt, work.InstanceId, message.MessageId, workerId, now, now, expiresAt, (int)leaseDuration.TotalSeconds, work.Trace)
        {
            Queue = queue.Name,
            Probe = probe,
        };
        await artifacts.WriteJsonAsync(RemotePaths.Lease(role, message.MessageId), record, cancellationToken);
        await RaiseLeaseAsync(client, record, expiresAt, cancellationToken);
        logger.Leased(work.TaskId, role, work.Attempt, workerId ?? "anonymous");
        return new LeaseGrant
        {
            LeaseId = LeaseToken.Encode(message.MessageId, message.PopReceipt),
            TaskId = work.TaskId,
            Role = role,
            Attempt = work.Attempt,
            MaxAttempts = envelope.MaxAttempts,
            Prompt = envelope.Prompt,
            LeaseExpiresAt = expiresAt,
            LeaseSeconds = (int)leaseDuration.TotalSeconds,
            Input = envelope,
        };
    }

    /// <summary>A worker's answer ended the attempt: its span (from the lease to now) and its duration.</summary>
    private void Ended(LeaseRecord record, AgentResult result)
    {
        instruments.Record(record.Role, time.GetUtcNow() - record.LeasedAt, AttemptOutcomes.Of(result));
        AttemptSpans.Record(record.Trace, record.TaskId, record.Role, record.Attempt, record.LeasedAt, result);
    }

    private async Task<HeldLease?> FindAsync(string role, string leaseId, CancellationToken cancellationToken)
    {
        if (!LeaseToken.TryDecode(leaseId, out var messageId, out var popReceipt) || !ArtifactPath.IsValid(RemotePaths.Lease(role, messageId)))
        {
            return null;
        }

        var record = await artifacts.ReadJsonAsync<LeaseRecord>(RemotePaths.Lease(role, messageId), cancellationToken);
        return record is null || record.Role != role ? null : new HeldLease(messageId, popReceipt, record);
    }

    /// <summary>Extends the message's invisibility; null when the message or this pop receipt is gone (the lease is lost).</summary>
    private async Task<UpdateReceipt?> HoldAsync(HeldLease lease, TimeSpan visibility, CancellationToken cancellationToken)
    {
        try
        {
            var receipt = await QueueOf(lease.Record).UpdateMessageAsync(
                lease.MessageId, lease.PopReceipt, visibilityTimeout: visibility, cancellationToken: cancellationToken);
            return receipt.Value;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            return null;
        }
    }

    private async Task ReleaseAsync(LeaseRecord record, string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        await DeleteMessageAsync(QueueOf(record), messageId, popReceipt, cancellationToken);
        await artifacts.DeleteAsync(RemotePaths.Lease(record.Role, messageId), cancellationToken);
    }

    /// <summary>The queue a leased message came from (the role's own queue for records from before routes).</summary>
    private QueueClient QueueOf(LeaseRecord record) =>
        record.Queue is { } name && name != StorageNames.WorkQueue(record.Role) ? queues.Named(name) : queues.For(record.Role);

    /// <summary>Counts an attempt's end for its role's circuit breaker; a storage failure here never fails the worker's call.</summary>
    private async Task RecordAsync(string role, CircuitOutcome outcome, bool probe)
    {
        try
        {
            await circuits.RecordAsync(role, outcome, probe, CancellationToken.None);
        }
        catch (RequestFailedException ex)
        {
            logger.CircuitRecordFailed(role, ex);
        }
    }

    private static async Task DeleteMessageAsync(QueueClient queue, string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        try
        {
            await queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            // Already gone (or received by someone else since): nothing left to release.
        }
    }

    /// <summary>Tells the sub-orchestration when the lease of the attempt expires now (null: released, waiting in the queue).</summary>
    private static Task RaiseLeaseAsync(DurableTaskClient client, LeaseRecord record, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        client.RaiseEventAsync(
            record.InstanceId,
            OrchestrationEvents.RemoteLease(record.Attempt),
            new RemoteLeaseEvent(record.Attempt, expiresAt, record.WorkerId),
            cancellationToken);

    /// <summary>
    /// Whether the role's sub-orchestration still waits for <paramref name="attempt"/>. Only its custom status is
    /// needed, so this is an instance query without inputs and outputs: on the Azure Storage backend the query
    /// leaves out only the Input and Output columns and the host copies the custom status into every result
    /// (Azure/durabletask <c>OrchestrationInstanceStatusQueryCondition</c>; Azure/azure-functions-durable-extension
    /// <c>ProtobufUtils.CreateQueryInstancesResponse</c>), whereas a single-instance read returns the custom status
    /// only together with the input (<c>LocalGrpcListener.CreateGetInstanceResponse</c>).
    /// </summary>
    internal static async Task<bool> IsCurrentAsync(DurableTaskClient client, string instanceId, int attempt, CancellationToken cancellationToken) =>
        await WaitingStatusAsync(client, instanceId, cancellationToken) is { } status && (status.Attempt == 0 || status.Attempt == attempt);

    /// <summary>
    /// The status of the role's sub-orchestration while it still waits (see <see cref="IsCurrentAsync"/>); null when it
    /// ended or does not exist. An unreadable status reads as attempt 0: waiting, for whichever attempt.
    /// </summary>
    private static async Task<RemoteAttemptStatus?> WaitingStatusAsync(DurableTaskClient client, string instanceId, CancellationToken cancellationToken)
    {
        // The prefix also matches sibling roles such as "review-2" of the same task: at most a task's roles.
        var query = new OrchestrationQuery(InstanceIdPrefix: instanceId, PageSize: 20, FetchInputsAndOutputs: false);
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            if (!string.Equals(instance.InstanceId, instanceId, StringComparison.Ordinal))
            {
                continue;
            }

            // Anything but an ended instance still waits: that includes the moment it continues as new.
            if (instance.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
            {
                return null;
            }

            return ReadStatus(instance.SerializedCustomStatus) ?? new RemoteAttemptStatus(string.Empty, string.Empty, 0);
        }

        return null;
    }

    /// <summary>Read without the metadata's data converter, which a query without inputs does not attach.</summary>
    private static RemoteAttemptStatus? ReadStatus(string? serialized)
    {
        try
        {
            return serialized is null ? null : JsonSerializer.Deserialize<RemoteAttemptStatus>(serialized, CoreJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static RemoteWorkMessage? Parse(QueueMessage message)
    {
        try
        {
            return message.Body is null ? null : JsonSerializer.Deserialize<RemoteWorkMessage>(message.Body.ToMemory().Span, CoreJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private TimeSpan LeaseDuration(string role) => roles.Find(role)?.LeaseDuration ?? TimeSpan.FromSeconds(60);

    private sealed record HeldLease(string MessageId, string PopReceipt, LeaseRecord Record);

    /// <summary>A queue message this lease API holds invisible: received, or taken by its send receipt.</summary>
    private sealed record HeldMessage(string MessageId, string PopReceipt, DateTimeOffset? NextVisibleOn);
}
