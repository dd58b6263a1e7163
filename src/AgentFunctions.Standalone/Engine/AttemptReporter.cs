using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Standalone.Storage;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The one path from "an attempt produced something" to the task, for local runners and remote
/// workers alike: builds the attempt envelope, and commits the outcome together with the result
/// itself (artifact rows in the same commit). The rows are chosen inside the journal operation that
/// decides, so a stale or late attempt can never overwrite an accepted result; large artifacts are
/// files under fresh names, written before the commit and deleted again when it does not name them.
/// </summary>
public sealed class AttemptReporter(Journal journal, AttemptResultWriter results, DatabaseArtifactStore artifacts, PendingWrites pending, SecurityOptions security)
{
    /// <summary>Earlier results longer than this are referenced rather than inlined in the prompt.</summary>
    private const int MaxInlinedResultChars = 64 * 1024;

    /// <summary>How long building a prompt waits for an earlier stage's result files to be written.</summary>
    private static readonly TimeSpan InputCatchUp = TimeSpan.FromSeconds(30);

    /// <summary>The envelope for an attempt, with earlier stages' results read from the artifacts.</summary>
    public async Task<AgentAttempt> BuildAttemptAsync(TaskState state, WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(item);
        var role = state.FindRole(item.Role) ?? throw new InvalidOperationException($"Task {state.Id} has no role {item.Role}.");
        var stageInputs = WorkflowDecider.InputsFor(state, role.Stage);
        var inputs = new List<AttemptInput>(stageInputs.Count);
        if (stageInputs.Count > 0)
        {
            // Earlier results are rows committed with their stage; only writes an older database promised can trail.
            await pending.WhenDoneAsync(state.Id, InputCatchUp, cancellationToken);
        }

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
            context.AttemptStarted(entry, item, worker: null);
        }

        return true;
    });

    /// <summary>
    /// Applies the attempt's outcome and, when it carries a result, commits the result with it. Secrets in the result
    /// (and in a failure's message) are redacted first (<c>Security:SecretScan</c>), with a warning on the task's view.
    /// </summary>
    /// <param name="leaseId">For remote attempts: the lease the worker holds.</param>
    /// <param name="duration">How long the attempt took, for the role's latency; null when unknown.</param>
    public async Task<ReportOutcome> ReportAsync(WorkItem item, string? leaseId, AgentResult result, DateTimeOffset startedAt, TimeSpan? duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(result);
        if ((item.Removed && !item.Canceled) || (leaseId is not null && item.LeaseId != leaseId && !item.Canceled))
        {
            return ReportOutcome.Stale;
        }

        WorkflowEvent outcome;
        AgentResult? output = null;
        var (screened, warnings) = SecretScreening.ScreenResult(result, security.SecretScan);
        result = screened;
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
            output = result;
            var stored = AttemptResultWriter.Describe(item.TaskId, item.Role, result) with { Warnings = warnings.Count > 0 ? warnings : null };
            outcome = result.Status == AgentResultStatus.NeedsApproval
                ? new RoleNeedsApproval(item.Role, item.Attempt, stored)
                : new RoleSucceeded(item.Role, item.Attempt, stored);
        }

        // Rendered (and large artifacts written) here rather than on the journal thread: a result may carry megabytes.
        IReadOnlyList<StoredArtifact>? accepted = null;
        IReadOnlyList<StoredArtifact>? discarded = null;
        if (output is not null)
        {
            var files = results.Render(item.TaskId, item.Role, item.Attempt, output);
            accepted = await artifacts.StageAsync(files, cancellationToken);
            discarded = AttemptResultWriter.RenderDiscarded(item.TaskId, item.Role, item.Attempt, files)
                .Select((file, i) => accepted[i] with { Path = file.Path })
                .ToList();
        }

        TraceContext? trace = null;
        var succeeded = result.Status != AgentResultStatus.Failed;
        ReportOutcome reported;
        try
        {
            reported = await journal.ExecuteAsync(context =>
            {
                var outcome = Report(context);
                if (outcome != ReportOutcome.Stale)
                {
                    // Counted in the commit that records the outcome, so the counters never run ahead of or behind it.
                    context.CountAttempt(item.Role, succeeded, duration, result.Usage);
                }

                if (outcome == ReportOutcome.Discarded && leaseId is not null)
                {
                    context.ForgetCanceledLease(leaseId);
                }

                return outcome;
            });
        }
        catch
        {
            await artifacts.DropStagedAsync(accepted ?? []);
            throw;
        }

        if (reported == ReportOutcome.Stale)
        {
            await artifacts.DropStagedAsync(accepted ?? []);
        }
        else
        {
            AttemptSpans.Record(trace, item.TaskId, item.Role, item.Attempt, startedAt, result);
        }

        return reported;

        ReportOutcome Report(BatchContext context)
        {
            var entry = context.FindActive(item.TaskId);
            trace = entry?.State.Trace;
            if (entry is not null && entry.Work.GetValueOrDefault(item.Key) == item && (leaseId is null || item.LeaseId == leaseId))
            {
                context.EndHold(entry, item.Role);
                var decision = context.Apply(entry, outcome);
                if (decision.Applied)
                {
                    if (accepted is not null)
                    {
                        context.PutArtifacts(item.TaskId, accepted);
                    }

                    return ReportOutcome.Applied;
                }
            }
            else if (!item.Canceled && entry is not null)
            {
                return ReportOutcome.Stale;
            }

            // The role was canceled (or its task ended) while the attempt ran: keep what it made, apart.
            if (discarded is not null)
            {
                context.PutArtifacts(item.TaskId, discarded);
            }

            return ReportOutcome.Discarded;
        }
    }

    private static string FailureMessage(AgentResult result)
    {
        var message = result.Summary ?? result.Result ?? "the agent reported a failure";
        return message.Length <= 2000 ? message : message[..2000];
    }
}
