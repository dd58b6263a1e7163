using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Standalone.Storage;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// What a journal operation may do while its batch is open: read and change tasks, schedule work,
/// store artifacts, queue file work. Changes apply to memory at once and are recorded as rows that the commit
/// thread writes in one transaction; nothing is visible to readers until that commits.
/// Used only on the journal's apply thread.
/// </summary>
public sealed class BatchContext
{
    private readonly Dictionary<string, TaskEntry> _active;
    private readonly ConcurrentDictionary<string, (string SpecHash, long Batch)> _finishing;
    private readonly Func<string, string?> _storedSpecHash;
    private readonly TimeProvider _time;
    private readonly HashSet<TaskEntry> _dirty = [];
    private readonly bool _mirrorArtifacts;
    private SealedBatch _batch;
    private long _nextOutboxId;

    internal BatchContext(
        Dictionary<string, TaskEntry> active,
        ConcurrentDictionary<string, (string SpecHash, long Batch)> finishing,
        Func<string, string?> storedSpecHash,
        long lastOutboxId,
        TimeProvider time,
        bool mirrorArtifacts = false)
    {
        _mirrorArtifacts = mirrorArtifacts;
        _active = active;
        _finishing = finishing;
        _storedSpecHash = storedSpecHash;
        _nextOutboxId = lastOutboxId;
        _time = time;
        _batch = new SealedBatch(0);
    }

    public BatchEffects Effects => _batch.Effects;

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>An unfinished task; from here on the batch may change it, so it is remembered as it is (see <see cref="BatchUndo"/>).</summary>
    public TaskEntry? FindActive(string id)
    {
        var entry = _active.GetValueOrDefault(id);
        if (entry is not null)
        {
            _batch.Undo.Touch(entry);
        }

        return entry;
    }

    /// <summary>
    /// The fingerprint of an existing task's spec (running, ending in a batch not yet committed, or
    /// finished), or null when there is none.
    /// </summary>
    public string? FindSpecHash(string id) =>
        _active.TryGetValue(id, out var entry) ? entry.SpecHash
        : _finishing.TryGetValue(id, out var finishing) ? finishing.SpecHash
        : _storedSpecHash(id);

    /// <summary>Starts recording into <paramref name="batch"/>.</summary>
    internal void Open(SealedBatch batch) => _batch = batch;

    /// <summary>Starts a new task from its plan.</summary>
    public TaskEntry Start(TaskPlan plan, string specHash)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var now = Now;
        var decision = WorkflowDecider.Start(plan, now);
        var entry = new TaskEntry(decision.State, plan.Spec.Context, specHash, isNew: true);
        _active[entry.Id] = entry;
        _batch.Undo.Started(entry);
        _dirty.Add(entry);
        var id = entry.Id;
        _batch.Rows.Add(w => w.InsertEvent(id, 0, now, """{"event":"task_started"}"""));
        var spec = DatabaseArtifactStore.Inline(ArtifactLayout.Spec(id), JsonSerializer.SerializeToUtf8Bytes(plan.Spec with { Context = null }, CoreJson.Indented));
        PutArtifacts(id, plan.Spec.Context is { } context ? [DatabaseArtifactStore.Inline(ArtifactLayout.Context(id), Encoding.UTF8.GetBytes(context)), spec] : [spec]);
        CarryOut(entry, decision);
        Reconcile(entry, now);
        return entry;
    }

    /// <summary>Applies an event to an unfinished task: new state, history, commands, work.</summary>
    public Decision Apply(TaskEntry entry, WorkflowEvent workflowEvent)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(workflowEvent);
        _batch.Undo.Touch(entry);
        var now = Now;
        var decision = WorkflowDecider.Apply(entry.State, workflowEvent, now);
        if (decision.Applied)
        {
            entry.State = decision.State;
            _dirty.Add(entry);
            var (id, version, json) = (entry.Id, decision.State.Version, JsonSerializer.Serialize(workflowEvent, StoredJson.Options));
            _batch.Rows.Add(w => w.InsertEvent(id, version, now, json));
        }

        CarryOut(entry, decision);
        if (decision.Applied)
        {
            Reconcile(entry, now);
        }

        return decision;
    }

    /// <summary>
    /// Records that a runner or worker began the item's attempt; an attempt the circuit breaker held is released
    /// first, so the hold's end is in the history of the attempt it held (a probe, or one run after the break).
    /// </summary>
    public void AttemptStarted(TaskEntry entry, WorkItem item, string? worker)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(item);
        EndHold(entry, item.Role);
        Apply(entry, new RoleAttemptStarted(item.Role, item.Attempt, worker));
    }

    /// <summary>
    /// Records the end of the circuit breaker's hold on the role's attempt when it is held: before the attempt starts,
    /// or before its outcome when a quick local run was never announced as running.
    /// </summary>
    public void EndHold(TaskEntry entry, string role)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.State.Roles.FirstOrDefault(r => r.Role == role) is { CircuitHeldUntil: not null })
        {
            Apply(entry, new RoleCircuitReleased(role));
        }
    }

    /// <summary>Records that a work item's lease fields changed.</summary>
    public void LeaseChanged(TaskEntry entry, WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(item);
        _batch.Undo.Touch(entry);
        item.Dirty = true;
        _dirty.Add(entry);
        Effects.Leased.Add(item);
    }

    /// <summary>Clears a lease its worker handed back; the attempt is offered again under the same number.</summary>
    public void LeaseReleased(TaskEntry entry, WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(item);
        _batch.Undo.Touch(entry);
        var leaseId = item.LeaseId!;
        item.LeaseId = null;
        item.LeaseExpiresAt = null;
        item.WorkerId = null;
        item.LeaseDuration = null;
        item.LeasedAt = null;
        item.Dirty = true;
        _dirty.Add(entry);
        Effects.Released.Add((item, leaseId));
        Apply(entry, new RoleAttemptReturned(item.Role, item.Attempt));
    }

    /// <summary>Queues a file write that must happen once this batch has committed.</summary>
    public void Outbox(string taskId, string kind, object payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        OutboxJson(taskId, kind, JsonSerializer.Serialize(payload, payload.GetType(), CoreJson.Options), payload);
    }

    /// <summary>As <see cref="Outbox"/>, with the payload already serialized (off the journal thread).</summary>
    /// <param name="value">The object <paramref name="json"/> was made from, handed to the writer as is.</param>
    public void OutboxJson(string taskId, string kind, string json, object? value = null)
    {
        // Ids are handed out here, not by SQLite: the row is written later, on the commit thread.
        var id = ++_nextOutboxId;
        var now = Now;
        _batch.Rows.Add(w => w.InsertOutbox(id, taskId, kind, json, now));
        Effects.Outbox.Add(new OutboxItem(id, taskId, kind, json) { Value = value });
    }

    public void OutboxDone(long id) => _batch.Rows.Add(w => w.DeleteOutbox(id));

    /// <summary>
    /// Stores a task's artifacts in this batch's commit (replacing any under the same paths): they are readable and
    /// durable exactly when the state change that made them is. With <c>Standalone:MirrorArtifactsToFiles</c>, the
    /// outbox copies them to files afterwards.
    /// </summary>
    public void PutArtifacts(string taskId, IReadOnlyList<StoredArtifact> artifacts)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        var now = Now;
        _batch.Rows.Add(w =>
        {
            foreach (var artifact in artifacts)
            {
                w.PutArtifact(artifact, now);
            }
        });
        if (_mirrorArtifacts)
        {
            var paths = artifacts.Select(a => a.Path).ToList();
            OutboxJson(taskId, OutboxKinds.Mirror, JsonSerializer.Serialize(paths, CoreJson.Options), paths);
        }
    }

    public void DeleteArtifact(string path) => _batch.Rows.Add(w => w.DeleteArtifact(path));

    public void DeleteArtifacts(string prefix) => _batch.Rows.Add(w => w.DeleteArtifacts(prefix));

    /// <summary>Stores a role's circuit breaker (its status and break; the window stays in memory).</summary>
    public void SaveCircuit(string role, string stateJson)
    {
        var now = Now;
        _batch.Rows.Add(w => w.UpsertCircuit(role, stateJson, now));
    }

    /// <summary>Counts an attempt's outcome for its role; the counters are written with this batch (see <see cref="Seal"/>).</summary>
    public void CountAttempt(string role, bool succeeded, TimeSpan? duration, AgentUsage? usage) =>
        Effects.Attempts.Add(new AttemptCount(role, succeeded, duration, usage));

    /// <summary>A canceled lease was handed in: its worker has nothing more to learn from it.</summary>
    public void ForgetCanceledLease(string leaseId) => _batch.Rows.Add(w => w.DeleteCanceledLease(leaseId));

    /// <summary>Deletes a finished task's rows, its artifacts' rows among them; their files go through the outbox.</summary>
    public void Purge(string id)
    {
        if (_finishing.TryRemove(id, out var finishing))
        {
            _batch.Undo.FinishingRemoved(id, finishing);
        }

        _batch.Rows.Add(w => w.PurgeTask(id));
        Effects.Purged.Add(id);
        Outbox(id, OutboxKinds.PurgeArtifacts, new { taskId = id });
    }

    /// <summary>
    /// Seals the batch: records every changed task once, with its work rows brought in line, and
    /// from here on treats those rows as written (the commit thread writes them in order).
    /// </summary>
    internal void Seal()
    {
        foreach (var entry in _dirty)
        {
            var state = entry.State;
            var id = entry.Id;
            var stored = JsonSerializer.Serialize(state with { Spec = state.Spec with { Context = null } }, StoredJson.Options);
            var status = Names.Of(state.Status);
            if (entry.IsNew)
            {
                var roles = "," + string.Join(",", state.Roles.Select(r => r.Role)) + ",";
                var (hash, context) = (entry.SpecHash, entry.Context);
                _batch.Rows.Add(w => w.InsertTask(id, status, state.IsTerminal, roles, hash, context, stored, state.Version, state.CreatedAt, state.UpdatedAt));
                entry.IsNew = false;
            }
            else
            {
                _batch.Rows.Add(w => w.UpdateTask(id, status, state.IsTerminal, stored, state.Version, state.UpdatedAt));
            }

            // Replaced rows are new (dirty) items and get upserted below; only vanished keys are deleted.
            foreach (var key in entry.PersistedWork.Keys)
            {
                if (!entry.Work.ContainsKey(key))
                {
                    _batch.Rows.Add(w => w.DeleteWork(id, key.Kind, key.Role));
                }
            }

            entry.PersistedWork.Clear();
            foreach (var (key, item) in entry.Work)
            {
                if (item.Dirty)
                {
                    var row = WorkRow.Of(item);
                    _batch.Rows.Add(w => w.UpsertWork(row));
                    item.Dirty = false;
                }

                entry.PersistedWork[key] = item;
            }

            _batch.States.Add((entry, state));
            Effects.Changed.Add(entry);
            if (state.IsTerminal)
            {
                Effects.Finished.Add(entry);
                _active.Remove(id);
                _finishing[id] = (entry.SpecHash, _batch.Number);
                _batch.Undo.FinishingAdded(id);
                _batch.Finished.Add(id);
            }
        }

        _dirty.Clear();
        foreach (var counters in CountersOf(Effects))
        {
            _batch.Rows.Add(w => w.AddRoleCounters(counters));
        }
    }

    /// <summary>What the batch adds to each role's counters: one row per role, in the batch's own commit.</summary>
    private static IEnumerable<RoleCounters> CountersOf(BatchEffects effects)
    {
        if (effects.Attempts.Count == 0 && effects.DeadLettered.Count == 0)
        {
            return [];
        }

        return effects.Attempts.Select(a => a.Role).Concat(effects.DeadLettered).Distinct(StringComparer.Ordinal).Select(role =>
        {
            var attempts = effects.Attempts.Where(a => a.Role == role).ToList();
            var timed = attempts.Where(a => a.Duration is not null).ToList();
            return new RoleCounters(
                role,
                attempts.Count(a => a.Succeeded),
                attempts.Count(a => !a.Succeeded),
                effects.DeadLettered.Count(r => r == role),
                timed.Count,
                timed.Sum(a => a.Duration!.Value.TotalMilliseconds),
                attempts.Sum(a => a.Usage?.InputTokens ?? 0),
                attempts.Sum(a => a.Usage?.OutputTokens ?? 0),
                attempts.Sum(a => a.Usage?.CostUsd ?? 0m));
        }).ToList();
    }

    /// <summary>
    /// Takes <paramref name="batch"/> back out of memory after its commit failed (or, for the open batch, before it was
    /// committed): see <see cref="BatchUndo.Restore"/>. Undo the newest batch first.
    /// </summary>
    internal void Undo(SealedBatch batch, List<WorkItem> revived)
    {
        if (ReferenceEquals(batch, _batch))
        {
            _dirty.Clear();
        }

        batch.Undo.Restore(_active, _finishing, batch.Number, revived);
    }

    /// <summary>Carries out the commands that are not expressed by the work rows.</summary>
    private void CarryOut(TaskEntry entry, Decision decision)
    {
        foreach (var command in decision.Commands)
        {
            switch (command)
            {
                case CancelRoleAttempt cancel:
                    Effects.Canceled.Add((entry.Id, cancel.Role, cancel.Attempt));
                    break;
                case WriteDeadLetter deadLetter:
                    Effects.DeadLettered.Add(deadLetter.Role);
                    Outbox(entry.Id, OutboxKinds.DeadLetter, new DeadLetterRecord
                    {
                        Id = deadLetter.DeadLetterId,
                        TaskId = entry.Id,
                        Role = deadLetter.Role,
                        Attempts = deadLetter.Attempts,
                        Failures = deadLetter.Failures,
                        Reason = deadLetter.Reason,
                        DeadLetteredAt = Now,
                        Spec = entry.State.Spec,
                        SpecRef = ArtifactLayout.Spec(entry.Id),
                        ReplayOf = entry.State.Spec.ReplayOf,
                        TraceParent = entry.State.Trace?.TraceParent,
                    });
                    break;
                case WriteTaskResult:
                    PutArtifacts(entry.Id, [DatabaseArtifactStore.Inline(ArtifactLayout.TaskResult(entry.Id), JsonSerializer.SerializeToUtf8Bytes(TaskViewProjector.ToResult(decision.State)!, CoreJson.Indented))]);
                    break;

                // DiscardResult needs no work here: results are written only after they are accepted, and the
                // reporter keeps a late one as discarded itself (it has the content; the command has references).
            }
        }
    }

    /// <summary>
    /// Brings the task's work rows in line with its state: one attempt row per role that runs or
    /// waits to run, one timer per open approval gate, one for the deadline. Rows that still fit
    /// are kept (with their lease); the rest are withdrawn.
    /// </summary>
    private void Reconcile(TaskEntry entry, DateTimeOffset now)
    {
        var state = entry.State;
        var wanted = new Dictionary<(WorkKind, string), (int Attempt, DateTimeOffset Due)>();
        if (!state.IsTerminal)
        {
            if (state.DeadlineAt is { } deadline)
            {
                wanted[(WorkKind.Deadline, string.Empty)] = (0, deadline);
            }

            if (state.Approval is { IsPending: true } taskGate)
            {
                wanted[(WorkKind.ApprovalTimeout, string.Empty)] = (0, taskGate.DeadlineAt);
            }

            foreach (var role in state.Roles)
            {
                if (!state.InPlay(role))
                {
                    continue;
                }

                switch (role.Status)
                {
                    case RoleStatus.Pending or RoleStatus.Retrying:
                        wanted[(WorkKind.Attempt, role.Role)] = (role.Attempt + 1, role.NextAttemptAt ?? now);
                        break;
                    case RoleStatus.Running:
                        wanted[(WorkKind.Attempt, role.Role)] = (role.Attempt, now);
                        break;
                    case RoleStatus.AwaitingApproval or RoleStatus.NeedsApproval when role.Approval is { } gate:
                        wanted[(WorkKind.ApprovalTimeout, role.Role)] = (0, gate.DeadlineAt);
                        break;
                }
            }
        }

        foreach (var (key, item) in entry.Work.ToList())
        {
            if (!wanted.TryGetValue(key, out var want) || want.Attempt != item.Attempt || (key.Kind != WorkKind.Attempt && want.Due != item.DueAt))
            {
                Withdraw(entry, item);
            }
        }

        foreach (var (key, want) in wanted)
        {
            if (entry.Work.ContainsKey(key))
            {
                continue;
            }

            var item = new WorkItem(entry.Id, key.Item1, key.Item2, want.Attempt, want.Due, state.Spec.Priority, now)
            {
                Requires = key.Item1 == WorkKind.Attempt ? RequirementsOf(state, key.Item2) : [],
            };
            entry.Work[key] = item;
            Effects.Scheduled.Add(item);
        }
    }

    /// <summary>What whoever runs an attempt of <paramref name="role"/> must be able to do.</summary>
    internal static IReadOnlyList<string> RequirementsOf(TaskState state, string role) =>
        state.FindRole(role) is { } found ? state.Spec.RequirementsOf(found.Stage) : [];

    private void Withdraw(TaskEntry entry, WorkItem item)
    {
        entry.Work.Remove(item.Key);
        var role = entry.State.FindRole(item.Role);
        item.Canceled = role?.Status is RoleStatus.Canceled or RoleStatus.Rejected or RoleStatus.Skipped;
        item.Removed = true;
        if (item.LeaseId is { } leaseId)
        {
            Effects.Withdrawn.Add(item);
            if (item.Canceled)
            {
                // Its worker learns of the cancel on its next heartbeat, after a restart too.
                var (taskId, roleName, attempt, worker, expires) = (item.TaskId, item.Role, item.Attempt, item.WorkerId, item.LeaseExpiresAt ?? Now);
                _batch.Rows.Add(w => w.InsertCanceledLease(leaseId, taskId, roleName, attempt, worker, expires));
            }
        }
    }
}
