using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Hosting;
using AgentFunctions.Logging;
using AgentFunctions.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Engine;

/// <summary>
/// The API's engine on Durable Functions, its task and dead-letter side: a task is an orchestration instance whose
/// id is the task id, whose input is the plan, custom status the task view and output the result. Dead letters live
/// in blobs; remote attempts on Storage Queues (<see cref="RemoteLeases"/>); health and metrics are
/// <see cref="EngineMetrics"/>'.
/// </summary>
public sealed class DurableTaskEngine(
    DurableClientAccessor clients,
    IArtifactStore artifacts,
    IDeadLetterStore deadLetters,
    RoleCatalog roles,
    WorkflowOptions workflow,
    TaskLimits limits,
    TimeProvider time,
    ILogger<DurableTaskEngine> logger) : ITaskEngine, IDeadLetterEngine
{
    /// <summary>How many instance pages one list request reads at most to find a task to answer with.</summary>
    private const int MaxPagesPerList = 20;

    /// <summary>How long a purge waits for the runtime to record the end of a task that already reads ended.</summary>
    private static readonly TimeSpan EndRecordWait = TimeSpan.FromSeconds(10);

    private static readonly OrchestrationRuntimeStatus[] Active =
        [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended];

    /// <summary>Striped by task id (see <see cref="SubmitAsync"/>).</summary>
    private static readonly SemaphoreSlim[] SubmitGates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    private readonly DeadLetterReplay _replay = new(roles, limits, workflow);

    public async Task<SubmitResult> SubmitAsync(TaskPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        // Submits of one id on this instance go one at a time: a backend that does not refuse a second start of a
        // pending instance (DurableTask.Core's in-memory service) would otherwise record two starts of it. Across
        // instances the storage provider refuses the second start, which the catch below answers.
        var gate = SubmitGates[(int)((uint)StringComparer.Ordinal.GetHashCode(plan.Id) % (uint)SubmitGates.Length)];
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await StartOrCompareAsync(plan, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<SubmitResult> StartOrCompareAsync(TaskPlan plan, CancellationToken cancellationToken)
    {
        var client = clients.Current;
        var existing = await client.GetInstanceAsync(plan.Id, getInputsAndOutputs: true, cancellationToken);
        if (existing is not null)
        {
            return Compare(existing, plan);
        }

        await WriteSpecAsync(plan.Spec, cancellationToken);
        try
        {
            // The input carries the context by reference: context.md is written above, before the start.
            await client.ScheduleNewOrchestrationInstanceAsync(
                OrchestrationNames.AgentTask, TaskInput.From(plan), new StartOrchestrationOptions(plan.Id), cancellationToken);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            // Another submit of the same id may have won the race. How that surfaces depends on versions: the host's
            // LocalGrpcListener.StartInstance answers RpcException(StatusCode.AlreadyExists), which recent
            // GrpcDurableTaskClient.ScheduleNewOrchestrationInstanceAsync turns into DurableTask.Core's
            // OrchestrationAlreadyExistsException and older clients pass on as the RpcException. Neither type is one
            // this app can name in every version, so any failure is checked against the instance: if it now exists,
            // answer as if the other submit had come first (200 identical, 409 different); otherwise rethrow.
            var raced = await client.GetInstanceAsync(plan.Id, getInputsAndOutputs: true, cancellationToken);
            if (raced is null)
            {
                throw;
            }

            return Compare(raced, plan);
        }

        logger.TaskStarted(plan.Id, plan.Roles.Count);
        var view = TaskViewProjector.ToView(WorkflowDecider.Start(plan, time.GetUtcNow()).State);
        return new SubmitResult(SubmitOutcome.Created, new TaskSnapshot(view, plan.Spec, null));
    }

    public async Task<TaskSnapshot?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var instance = await clients.Current.GetInstanceAsync(taskId, getInputsAndOutputs: true, cancellationToken);
        if (instance is null)
        {
            return null;
        }

        TaskResultDocument? stored = null;
        if (instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
        {
            stored = await ReadStoredResultAsync(taskId, cancellationToken);
        }

        return TaskSnapshots.From(instance, stored);
    }

    /// <summary>
    /// One page of the instance query, newest first within the page, filtered to task orchestrations (not their
    /// remote-role sub-orchestrations) and by state, role and type; a filtered page may hold fewer than <c>top</c>, but is
    /// empty only when no task is left to list (or after <see cref="MaxPagesPerList"/> pages without one).
    /// </summary>
    public async Task<Core.Contracts.Page<TaskSnapshot>> ListAsync(TaskQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new OrchestrationQuery(
            Statuses: query.State is { } state ? RuntimeStatusesOf(state) : null,
            PageSize: query.Top,
            FetchInputsAndOutputs: true,
            ContinuationToken: query.ContinuationToken);
        var items = new List<TaskSnapshot>();
        string? next = null;
        var pages = 0;
        await foreach (var page in clients.Current.GetAllInstancesAsync(filter).AsPages(query.ContinuationToken, query.Top).WithCancellation(cancellationToken))
        {
            foreach (var instance in page.Values)
            {
                if (TaskSnapshots.From(instance) is { } snapshot
                    && (query.State is null || snapshot.View.State == query.State)
                    && (query.Role is null || snapshot.View.Roles.Any(r => r.Role == query.Role))
                    && (query.Type is null || string.Equals(snapshot.View.Type, query.Type, StringComparison.Ordinal)))
                {
                    items.Add(snapshot);
                }
            }

            // A page that held only sub-orchestrations (or tasks the filter drops) is not answered empty while more
            // follow: the next page is read instead, up to a bound so one request stays short.
            next = page.ContinuationToken;
            if (items.Count > 0 || next is null || ++pages >= MaxPagesPerList)
            {
                break;
            }
        }

        items.Sort((a, b) => b.View.CreatedAt.CompareTo(a.View.CreatedAt));
        return new Core.Contracts.Page<TaskSnapshot>(items, next);
    }

    public async Task<RaiseOutcome> RaiseAsync(string taskId, WorkflowEvent externalEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(externalEvent);
        var client = clients.Current;
        if (await client.GetInstanceAsync(taskId, getInputsAndOutputs: false, cancellationToken) is null)
        {
            return RaiseOutcome.NotFound;
        }

        var (name, payload) = externalEvent switch
        {
            ApprovalDecided d => (OrchestrationEvents.Approval, (object)new ApprovalEventPayload(Names.Of(d.Decision), d.By, d.Note, d.Role)),
            CancelRequested c => (OrchestrationEvents.Cancel, new CancelEventPayload(c.By, c.Reason)),
            _ => throw new ArgumentException($"Only approval and cancel are external events, not {externalEvent.GetType().Name}.", nameof(externalEvent)),
        };
        await client.RaiseEventAsync(taskId, name, payload, cancellationToken);
        logger.EventRaised(taskId, name);

        // The orchestration applies it when it next runs; the decider ignores it there if it no longer fits.
        return RaiseOutcome.Accepted;
    }

    public async Task<PurgeOutcome> PurgeAsync(string taskId, CancellationToken cancellationToken)
    {
        var client = clients.Current;
        var instance = await client.GetInstanceAsync(taskId, getInputsAndOutputs: true, cancellationToken);
        if (instance is null)
        {
            return PurgeOutcome.NotFound;
        }

        if (Active.Contains(instance.RuntimeStatus) && TaskSnapshots.ReadView(instance)?.State.IsTerminal() == true)
        {
            // The task reads ended from the orchestration's last custom status a moment before the runtime records the
            // end; a purge in that moment waits for it rather than calling an ended task still running.
            using var bound = new CancellationTokenSource(EndRecordWait, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
            try
            {
                instance = await client.WaitForInstanceCompletionAsync(taskId, getInputsAndOutputs: false, linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Still not recorded: answered as running below.
            }
        }

        if (Active.Contains(instance.RuntimeStatus))
        {
            return PurgeOutcome.StillRunning;
        }

        // Recursive: the remote-role sub-orchestrations go with their task.
        await client.PurgeInstanceAsync(taskId, new PurgeInstanceOptions(Recursive: true), cancellationToken);
        await artifacts.DeletePrefixAsync(ArtifactLayout.TaskPrefix(taskId), cancellationToken);
        return PurgeOutcome.Purged;
    }

    public async Task<Core.Contracts.Page<DeadLetterRecord>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken)
    {
        var page = await deadLetters.ListAsync(query, cancellationToken);
        return new Core.Contracts.Page<DeadLetterRecord>(page.Items, page.ContinuationToken);
    }

    public Task<DeadLetterRecord?> GetDeadLetterAsync(string id, CancellationToken cancellationToken) =>
        deadLetters.GetAsync(id, cancellationToken);

    public Task<bool> DeleteDeadLetterAsync(string id, CancellationToken cancellationToken) =>
        deadLetters.DeleteAsync(id, cancellationToken);

    /// <summary>
    /// Replays by <see cref="DeadLetterReplay"/>: submits the first candidate no other task holds (an identical one is
    /// this replay, started by a concurrent request or before a crash) and links the record to it. Of concurrent requests
    /// (on any instance) the one whose link lands answers 202; the others find the record linked: 409.
    /// </summary>
    public async Task<ReplayResult> ReplayDeadLetterAsync(string id, CancellationToken cancellationToken)
    {
        var record = await deadLetters.GetAsync(id, cancellationToken);
        if (record is null)
        {
            return ReplayResult.NotFound;
        }

        var candidates = await _replay.PrepareAsync(record, artifacts, cancellationToken);
        if (candidates.Refusal is { } refusal)
        {
            return new ReplayResult(ReplayOutcome.Conflict, candidates.ReplayedAs, refusal);
        }

        foreach (var plan in candidates.Plans)
        {
            if ((await SubmitAsync(plan, cancellationToken)).Outcome == SubmitOutcome.Conflict)
            {
                continue; // another task has this number
            }

            if (await deadLetters.TryLinkReplayAsync(id, plan.Id, time.GetUtcNow(), cancellationToken))
            {
                return new ReplayResult(ReplayOutcome.Replayed, plan.Id, null);
            }

            return await deadLetters.GetAsync(id, cancellationToken) is { ReplayedAs: { } replayedAs }
                ? new ReplayResult(ReplayOutcome.Conflict, replayedAs, DeadLetterReplay.AlreadyReplayed(id, replayedAs))
                : ReplayResult.NotFound;
        }

        return new ReplayResult(ReplayOutcome.Conflict, null, candidates.AllTaken);
    }

    /// <summary>Activities write artifacts before the events that refer to them: nothing to wait for.</summary>
    public Task WhenArtifactsWrittenAsync(string taskId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The runtime statuses an orchestration of a task in <paramref name="state"/> can have (the orchestrator fails for every ending but completed).</summary>
    /// <remarks>
    /// A task reads as ended once its orchestration has published the final view, while the orchestration still runs
    /// to store its records: an ended state matches running instances too, and the view filters them exactly.
    /// </remarks>
    public static OrchestrationRuntimeStatus[] RuntimeStatusesOf(AgentTaskStatus state) => state switch
    {
        AgentTaskStatus.Completed => [OrchestrationRuntimeStatus.Completed, .. Active],
        AgentTaskStatus.Canceled => [OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated, .. Active],
        _ when state.IsTerminal() => [OrchestrationRuntimeStatus.Failed, .. Active],
        _ => Active,
    };

    private static SubmitResult Compare(OrchestrationMetadata existing, TaskPlan plan)
    {
        var snapshot = TaskSnapshots.From(existing);
        if (snapshot is null || TaskSnapshots.ReadInput(existing) is not { } input)
        {
            return new SubmitResult(SubmitOutcome.Conflict, null);
        }

        // The input holds the fingerprint of the full spec (its context is not in the input); inputs from before
        // fingerprints carry the whole spec instead.
        var identical = input.SpecHash is { } hash
            ? string.Equals(hash, SpecFingerprint.Compute(plan.Spec), StringComparison.Ordinal)
            : JsonElement.DeepEquals(
                JsonSerializer.SerializeToElement(input.Spec, CoreJson.Options),
                JsonSerializer.SerializeToElement(plan.Spec, CoreJson.Options));
        return new SubmitResult(identical ? SubmitOutcome.Identical : SubmitOutcome.Conflict, snapshot);
    }

    /// <summary><c>spec.json</c> (without the inline context) and <c>context.md</c>, as the artifact layout has them.</summary>
    private async Task WriteSpecAsync(TaskSpec spec, CancellationToken cancellationToken)
    {
        var id = spec.Id!;
        await artifacts.WriteJsonAsync(ArtifactLayout.Spec(id), spec with { Context = null }, cancellationToken);
        if (spec.Context is not null)
        {
            await artifacts.WriteTextAsync(ArtifactLayout.Context(id), spec.Context, cancellationToken: cancellationToken);
        }
    }

    private async Task<TaskResultDocument?> ReadStoredResultAsync(string taskId, CancellationToken cancellationToken)
    {
        try
        {
            return await artifacts.ReadJsonAsync<TaskResultDocument>(ArtifactLayout.TaskResult(taskId), cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
