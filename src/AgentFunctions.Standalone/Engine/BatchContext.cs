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
/// queue file writes. Everything lands in one transaction; nothing is visible until it commits.
/// Used only on the journal thread.
/// </summary>
public sealed class BatchContext
{
    private readonly Dictionary<string, TaskEntry> _active;
    private readonly TaskWriter _writer;
    private readonly TimeProvider _time;
    private readonly HashSet<TaskEntry> _dirty = [];

    internal BatchContext(Dictionary<string, TaskEntry> active, TaskWriter writer, BatchEffects effects, TimeProvider time)
    {
        _active = active;
        _writer = writer;
        Effects = effects;
        _time = time;
    }

    public BatchEffects Effects { get; }

    public DateTimeOffset Now => _time.GetUtcNow();

    public TaskEntry? FindActive(string id) => _active.GetValueOrDefault(id);

    /// <summary>The fingerprint of an existing task's spec (running or finished), or null when there is none.</summary>
    public string? FindSpecHash(string id) => _active.TryGetValue(id, out var entry) ? entry.SpecHash : _writer.GetSpecHash(id);

    /// <summary>Starts a new task from its plan.</summary>
    public TaskEntry Start(TaskPlan plan, string specHash)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var now = Now;
        var decision = WorkflowDecider.Start(plan, now);
        var entry = new TaskEntry(decision.State, plan.Spec.Context, specHash, isNew: true);
        _active[entry.Id] = entry;
        _dirty.Add(entry);
        _writer.InsertEvent(entry.Id, 0, now, """{"event":"task_started"}""");
        Outbox(entry.Id, OutboxKinds.Spec, plan.Spec);
        CarryOut(entry, decision);
        Reconcile(entry, now);
        return entry;
    }

    /// <summary>Applies an event to an unfinished task: new state, history, commands, work.</summary>
    public Decision Apply(TaskEntry entry, WorkflowEvent workflowEvent)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(workflowEvent);
        var now = Now;
        var decision = WorkflowDecider.Apply(entry.State, workflowEvent, now);
        if (decision.Applied)
        {
            entry.State = decision.State;
            _dirty.Add(entry);
            _writer.InsertEvent(entry.Id, decision.State.Version, now, JsonSerializer.Serialize(workflowEvent, CoreJson.Options));
        }

        CarryOut(entry, decision);
        if (decision.Applied)
        {
            Reconcile(entry, now);
        }

        return decision;
    }

    /// <summary>Records that a work item's lease fields changed.</summary>
    public void LeaseChanged(TaskEntry entry, WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.Dirty = true;
        _dirty.Add(entry);
        Effects.Leased.Add(item);
    }

    /// <summary>Clears a lease its worker handed back; the attempt is offered again under the same number.</summary>
    public void LeaseReleased(TaskEntry entry, WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var leaseId = item.LeaseId!;
        item.LeaseId = null;
        item.LeaseExpiresAt = null;
        item.WorkerId = null;
        item.LeaseDuration = null;
        item.LeasedAt = null;
        item.Dirty = true;
        _dirty.Add(entry);
        Effects.Released.Add((item, leaseId));
    }

    /// <summary>Queues a file write that must happen once this batch has committed.</summary>
    public void Outbox(string taskId, string kind, object payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        OutboxJson(taskId, kind, JsonSerializer.Serialize(payload, payload.GetType(), CoreJson.Options));
    }

    /// <summary>As <see cref="Outbox"/>, with the payload already serialized (off the journal thread).</summary>
    public void OutboxJson(string taskId, string kind, string json)
    {
        var id = _writer.InsertOutbox(taskId, kind, json, Now);
        Effects.Outbox.Add(new OutboxItem(id, taskId, kind, json));
    }

    public void OutboxDone(long id) => _writer.DeleteOutbox(id);

    /// <summary>Deletes a finished task's rows; its artifacts go through the outbox.</summary>
    public void Purge(string id)
    {
        _writer.PurgeTask(id);
        Effects.Purged.Add(id);
        Outbox(id, OutboxKinds.PurgeArtifacts, new { taskId = id });
    }

    /// <summary>Writes every changed task once, with its work rows brought in line.</summary>
    internal void Flush()
    {
        foreach (var entry in _dirty)
        {
            var state = entry.State;
            var stored = JsonSerializer.Serialize(state with { Spec = state.Spec with { Context = null } }, CoreJson.Options);
            var status = Names.Of(state.Status);
            if (entry.IsNew)
            {
                var roles = "," + string.Join(",", state.Roles.Select(r => r.Role)) + ",";
                _writer.InsertTask(entry.Id, status, state.IsTerminal, roles, entry.SpecHash, entry.Context, stored, state.Version, state.CreatedAt, state.UpdatedAt);
            }
            else
            {
                _writer.UpdateTask(entry.Id, status, state.IsTerminal, stored, state.Version, state.UpdatedAt);
            }

            // Replaced rows are new (dirty) items and get upserted below; only vanished keys are deleted.
            foreach (var key in entry.PersistedWork.Keys)
            {
                if (!entry.Work.ContainsKey(key))
                {
                    _writer.DeleteWork(entry.Id, key.Kind, key.Role);
                }
            }

            foreach (var item in entry.Work.Values)
            {
                if (item.Dirty)
                {
                    _writer.UpsertWork(item);
                }
            }

            Effects.Changed.Add(entry);
            if (state.IsTerminal)
            {
                Effects.Finished.Add(entry);
            }
        }
    }

    /// <summary>After the commit: the database now matches memory.</summary>
    internal void Committed()
    {
        foreach (var entry in _dirty)
        {
            entry.IsNew = false;
            entry.PersistedWork.Clear();
            foreach (var (key, item) in entry.Work)
            {
                item.Dirty = false;
                entry.PersistedWork[key] = item;
            }

            entry.Committed = entry.State;
            if (entry.State.IsTerminal)
            {
                _active.Remove(entry.Id);
            }
        }

        _dirty.Clear();
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
                    });
                    break;
                case WriteTaskResult:
                    Outbox(entry.Id, OutboxKinds.Result, TaskViewProjector.ToResult(decision.State)!);
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

            var item = new WorkItem(entry.Id, key.Item1, key.Item2, want.Attempt, want.Due, state.Spec.Priority, now);
            entry.Work[key] = item;
            Effects.Scheduled.Add(item);
        }
    }

    private void Withdraw(TaskEntry entry, WorkItem item)
    {
        entry.Work.Remove(item.Key);
        var role = entry.State.FindRole(item.Role);
        item.Canceled = role?.Status is RoleStatus.Canceled or RoleStatus.Rejected or RoleStatus.Skipped;
        item.Removed = true;
        if (item.LeaseId is not null)
        {
            Effects.Withdrawn.Add(item);
        }
    }
}
