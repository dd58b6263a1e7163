using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Standalone.Storage;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The Standalone engine's task and dead-letter side of the API: submit, read, list, raise, purge, and dead letters
/// with their replay. Every state change is one <see cref="Journal"/> operation that reads and writes together, so
/// there is no check-then-act race; reads come from the unfinished tasks in memory, or SQLite for the rest. Start
/// and stop are <see cref="StandaloneEngineHost"/>'s, workers <see cref="RemoteLeases"/>', health and metrics
/// <see cref="EngineMetrics"/>'.
/// </summary>
public sealed class StandaloneTaskEngine(
    TaskReader reader,
    Journal journal,
    PendingWrites pending,
    ActiveTasks active,
    IDeadLetterStore deadLetters,
    IArtifactStore artifacts,
    RoleCatalog roles,
    TaskLimits limits,
    WorkflowOptions workflow,
    DiskSpace disk) : ITaskEngine, IDeadLetterEngine
{
    private readonly DeadLetterReplay _replay = new(roles, limits, workflow);

    /// <summary>
    /// How long a read waits for a task's promised file work: artifacts are committed with their task, so only what a
    /// database from before schema version 3 still promised, a purge's file removal, dead letters and replay links.
    /// </summary>
    private static readonly TimeSpan FileCatchUp = TimeSpan.FromSeconds(30);

    public async Task<SubmitResult> SubmitAsync(TaskPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        disk.ThrowIfLow();
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

    /// <summary>Artifacts are rows committed with their task; this waits only for writes an older database still promised.</summary>
    public Task WhenArtifactsWrittenAsync(string taskId, CancellationToken cancellationToken) =>
        pending.WhenDoneAsync(taskId, FileCatchUp, cancellationToken);

    public Task<Page<TaskSnapshot>> ListAsync(TaskQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (items, token) = reader.ListTasks(query.State, query.Role, query.Type, query.Top, query.ContinuationToken);
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

    /// <summary>
    /// Replays by <see cref="DeadLetterReplay"/> in one journal operation: starts the first candidate no other task
    /// holds, with the link to the record in the same commit (written to the record from the outbox). Finding this
    /// replay under its name means another request started it (its link is on the way): that one answers 202, this
    /// one 409.
    /// </summary>
    public async Task<ReplayResult> ReplayDeadLetterAsync(string id, CancellationToken cancellationToken)
    {
        var record = await GetDeadLetterAsync(id, cancellationToken);
        if (record is null)
        {
            return ReplayResult.NotFound;
        }

        disk.ThrowIfLow();

        var candidates = await _replay.PrepareAsync(record, artifacts, cancellationToken);
        if (candidates.Refusal is { } refusal)
        {
            return new ReplayResult(ReplayOutcome.Conflict, candidates.ReplayedAs, refusal);
        }

        var (taskId, started) = await journal.ExecuteAsync(context =>
        {
            foreach (var plan in candidates.Plans)
            {
                var hash = SpecFingerprint.Compute(plan.Spec);
                var existing = context.FindSpecHash(plan.Id);
                if (existing == hash)
                {
                    return (plan.Id, false);
                }

                if (existing is null)
                {
                    context.Start(plan, hash);
                    context.Outbox(plan.Id, OutboxKinds.LinkReplay, new ReplayLink(id, context.Now));
                    return (plan.Id, true);
                }
            }

            return ((string?)null, false);
        });

        if (taskId is null)
        {
            return new ReplayResult(ReplayOutcome.Conflict, null, candidates.AllTaken);
        }

        await pending.WhenDoneAsync(taskId, FileCatchUp, cancellationToken);
        return started
            ? new ReplayResult(ReplayOutcome.Replayed, taskId, null)
            : new ReplayResult(ReplayOutcome.Conflict, taskId, DeadLetterReplay.AlreadyReplayed(id, taskId));
    }

    private static TaskSnapshot Snapshot(TaskState state) =>
        new(TaskViewProjector.ToView(state), state.Spec, TaskViewProjector.ToResult(state)) { Trace = state.Trace };
}
