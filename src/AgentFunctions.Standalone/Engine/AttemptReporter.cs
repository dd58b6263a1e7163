using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The one path from "an attempt produced something" to the task: builds the attempt envelope,
/// stores results in the artifact layout, and applies the outcome — for local runners and remote
/// workers alike. Writing and applying happen under a per-role lock so a stale attempt can never
/// overwrite the result of the attempt that replaced it.
/// </summary>
public sealed class AttemptReporter(Journal journal, AttemptResultWriter results, IArtifactStore artifacts)
{
    /// <summary>Earlier results longer than this are referenced rather than inlined in the prompt.</summary>
    private const int MaxInlinedResultChars = 64 * 1024;

    private readonly StripedLock _locks = new();

    /// <summary>The envelope for an attempt, with earlier stages' results read from the artifacts.</summary>
    public async Task<AgentAttempt> BuildAttemptAsync(TaskState state, WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(item);
        var role = state.FindRole(item.Role) ?? throw new InvalidOperationException($"Task {state.Id} has no role {item.Role}.");
        var stageInputs = WorkflowDecider.InputsFor(state, role.Stage);
        var inputs = new List<AttemptInput>(stageInputs.Count);
        foreach (var input in stageInputs)
        {
            string? content = null;
            if (input.ResultRef is not null)
            {
                content = await artifacts.ReadTextAsync(input.ResultRef, cancellationToken);
                if (content is { Length: > MaxInlinedResultChars })
                {
                    content = null;
                }
            }

            inputs.Add(new AttemptInput(input.Role, input.Stage, input.Summary, input.ResultRef, content));
        }

        var command = new RunRoleAttempt(role.Role, role.Stage, item.Attempt, item.DueAt, state.Spec.Priority, role.Schedule, stageInputs);
        return AttemptFactory.Create(state, command, inputs);
    }

    /// <summary>Records that a local runner began the attempt (a no-op when it was already running).</summary>
    public Task StartedAsync(WorkItem item) => journal.ExecuteAsync(context =>
    {
        if (context.FindActive(item.TaskId) is { } entry && entry.Work.GetValueOrDefault(item.Key) == item)
        {
            context.Apply(entry, new RoleAttemptStarted(item.Role, item.Attempt));
        }

        return true;
    });

    /// <summary>Stores the result (if any) and applies the attempt's outcome.</summary>
    /// <param name="leaseId">For remote attempts: the lease the worker holds.</param>
    public async Task<ReportOutcome> ReportAsync(WorkItem item, string? leaseId, AgentResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(result);
        using var held = await _locks.AcquireAsync(item.TaskId + "/" + item.Role, cancellationToken);
        if (item.Removed && !item.Canceled)
        {
            return ReportOutcome.Stale;
        }

        if (leaseId is not null && item.LeaseId != leaseId && !item.Canceled)
        {
            return ReportOutcome.Stale;
        }

        WorkflowEvent outcome;
        RoleResult? stored = null;
        if (result.Status == AgentResultStatus.Failed)
        {
            outcome = new RoleAttemptFailed(item.Role, item.Attempt, result.Permanent ? FailureKind.Permanent : FailureKind.Transient, FailureMessage(result));
        }
        else if (results.Validate(result) is { Count: > 0 } problems)
        {
            outcome = new RoleAttemptFailed(item.Role, item.Attempt, FailureKind.Permanent, "the agent's result cannot be stored: " + string.Join("; ", problems));
        }
        else
        {
            stored = await results.WriteAsync(item.TaskId, item.Role, item.Attempt, result, cancellationToken);
            outcome = result.Status == AgentResultStatus.NeedsApproval
                ? new RoleNeedsApproval(item.Role, item.Attempt, stored)
                : new RoleSucceeded(item.Role, item.Attempt, stored);
        }

        var applied = await journal.ExecuteAsync(context =>
        {
            var entry = context.FindActive(item.TaskId);
            if (entry is not null && entry.Work.GetValueOrDefault(item.Key) == item && (leaseId is null || item.LeaseId == leaseId))
            {
                context.Apply(entry, outcome);
                return ReportOutcome.Applied;
            }

            if (item.Canceled || entry is null)
            {
                if (stored is not null)
                {
                    context.Outbox(item.TaskId, OutboxKinds.Discard, new DiscardResult(item.Role, item.Attempt, stored));
                }

                return ReportOutcome.Discarded;
            }

            return ReportOutcome.Stale;
        });

        if (applied == ReportOutcome.Stale && stored is not null)
        {
            // Written under the lock but no longer current: keep it apart from the real result.
            await results.DiscardAsync(item.TaskId, item.Role, item.Attempt, stored, cancellationToken);
        }

        return applied;
    }

    private static string FailureMessage(AgentResult result)
    {
        var message = result.Summary ?? result.Result ?? "the agent reported a failure";
        return message.Length <= 2000 ? message : message[..2000];
    }
}
