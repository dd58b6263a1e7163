using System.Text.Json;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Engine;
using AgentFunctions.Hosting;
using AgentFunctions.Logging;
using AgentFunctions.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using TraceContext = AgentFunctions.Core.Telemetry.TraceContext;

namespace AgentFunctions.Activities;

/// <summary>
/// The activities of the task orchestration: everything with I/O. Runs a role attempt through the Core runners
/// and stores its result, writes dead-letter records and the task result, discards late results, and puts
/// remote attempts on their role's work queue.
/// </summary>
public sealed class AgentActivities(
    RoleCatalog roles,
    IAgentRunnerFactory runners,
    AttemptResultWriter writer,
    IArtifactStore artifacts,
    IDeadLetterStore deadLetters,
    WorkQueues queues,
    CircuitStore circuits,
    SecurityOptions security,
    AttemptInstruments instruments,
    TimeProvider time,
    ILogger<AgentActivities> logger)
{
    [Function(OrchestrationNames.DescribeRoles)]
    public RoleRoute[] DescribeRoles([ActivityTrigger] string[] roleNames)
    {
        ArgumentNullException.ThrowIfNull(roleNames);
        return roleNames.Select(name => roles.Find(name) is { } role
                ? new RoleRoute(name, role.Runner == RunnerKind.Remote, (int)role.LeaseDuration.TotalSeconds, role.Capabilities)
                : new RoleRoute(name, false, 60, [])) // unknown now: the attempt fails permanently and is dead-lettered
            .ToArray();
    }

    /// <summary>
    /// Runs an inline attempt, unless the role's circuit breaker holds it: then nothing runs and the outcome says until
    /// when (the orchestrator takes the start back and asks again then).
    /// </summary>
    [Function(OrchestrationNames.RunRoleAttempt)]
    public async Task<RoleAttemptOutcome> RunRoleAttemptAsync([ActivityTrigger] RoleAttemptRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var (role, number) = (request.Attempt.Role, request.Attempt.Attempt);
        var admission = request.Admission;
        if (admission is null && roles.Find(role) is not null)
        {
            var admitted = await circuits.AdmitAsync(role, context.CancellationToken);
            if (admitted.Verdict == CircuitVerdict.Held)
            {
                return new RoleAttemptOutcome(null, false, admitted.HeldUntil) { Role = role, Attempt = number };
            }

            admission = admitted.Verdict;
        }

        var attempt = await AttemptEnvelopes.CompleteAsync(request.Attempt, artifacts, context.CancellationToken);
        try
        {
            return await RunAttemptAsync(attempt, admission == CircuitVerdict.Probe, context.CancellationToken, request.Trace) with { Role = role, Attempt = number };
        }
        catch (Exception ex) when (ex is PermanentAttemptException or TransientAttemptException)
        {
            var kind = ex is PermanentAttemptException ? FailureKind.Permanent : FailureKind.Transient;
            var marker = ex is PermanentAttemptException ? PermanentAttemptException.Marker : TransientAttemptException.Marker;
            var message = ex.Message.StartsWith(marker, StringComparison.Ordinal) ? ex.Message[marker.Length..] : ex.Message;
            return new RoleAttemptOutcome(null, false) { Role = role, Attempt = number, Failure = kind, Error = message };
        }
    }

    /// <summary>Asks the role's circuit breaker whether a held attempt may start now (a half-open breaker lets one through as its probe).</summary>
    [Function(OrchestrationNames.AdmitAttempt)]
    public async Task<AttemptAdmission> AdmitAttemptAsync([ActivityTrigger] AdmitRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var admission = await circuits.AdmitAsync(request.Role, context.CancellationToken);
        return new AttemptAdmission(admission.Verdict, admission.HeldUntil) { Role = request.Role, Attempt = request.Attempt };
    }

    public Task<RoleAttemptOutcome> RunAttemptAsync(AgentAttempt attempt, CancellationToken cancellationToken) =>
        RunAttemptAsync(attempt, probe: false, cancellationToken);

    /// <summary>
    /// Runs one attempt: a failure becomes a <see cref="PermanentAttemptException"/> or <see cref="TransientAttemptException"/>
    /// for the orchestrator; a result is stored in the artifact layout, its secrets redacted. A result that arrives after
    /// the task ended (its <c>result.json</c> exists) is kept only as a discarded artifact. The outcome counts for the
    /// role's circuit breaker (<paramref name="probe"/>: the attempt is its half-open probe).
    /// </summary>
    /// <param name="trace">The task's trace: the attempt's span (role, number, outcome) is recorded under it.</param>
    public async Task<RoleAttemptOutcome> RunAttemptAsync(AgentAttempt attempt, bool probe, CancellationToken cancellationToken, TraceContext? trace = null)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        using var span = AttemptSpans.Start(trace, attempt.TaskId, attempt.Role, attempt.Attempt);
        var started = time.GetTimestamp();
        try
        {
            var outcome = await RunAsync(attempt, probe, cancellationToken);
            var result = outcome.NeedsApproval ? AttemptOutcomes.NeedsApproval : AttemptOutcomes.Succeeded;
            instruments.Record(attempt.Role, time.GetElapsedTime(started), result);
            AttemptSpans.End(span, result, null, null);
            return outcome;
        }
        catch (Exception ex) when (ex is PermanentAttemptException or TransientAttemptException)
        {
            instruments.Record(attempt.Role, time.GetElapsedTime(started), AttemptOutcomes.Failed);
            AttemptSpans.End(span, AttemptOutcomes.Failed, ex is PermanentAttemptException ? FailureKind.Permanent : FailureKind.Transient, ex.Message);
            throw;
        }
    }

    private async Task<RoleAttemptOutcome> RunAsync(AgentAttempt attempt, bool probe, CancellationToken cancellationToken)
    {
        if (roles.Find(attempt.Role) is not { } role)
        {
            throw new PermanentAttemptException($"role '{attempt.Role}' is not configured on this host");
        }

        var outcome = CircuitOutcome.Failure;
        try
        {
            var (ran, counted) = await RunAndStoreAsync(role, attempt, cancellationToken);
            outcome = counted;
            return ran;
        }
        catch (PermanentAttemptException)
        {
            outcome = CircuitOutcome.Ignored;
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = CircuitOutcome.Ignored;
            throw;
        }
        finally
        {
            await RecordAsync(role.Name, outcome, probe);
        }
    }

    /// <summary>Counts the outcome for the breaker; a storage failure here never changes the attempt's own outcome.</summary>
    private async Task RecordAsync(string role, CircuitOutcome outcome, bool probe)
    {
        try
        {
            await circuits.RecordAsync(role, outcome, probe, CancellationToken.None);
        }
        catch (Azure.RequestFailedException ex)
        {
            logger.CircuitRecordFailed(role, ex);
        }
    }

    private async Task<(RoleAttemptOutcome Outcome, CircuitOutcome Counted)> RunAndStoreAsync(RoleDefinition role, AgentAttempt attempt, CancellationToken cancellationToken)
    {
        var runner = runners.Create(role)
            ?? throw new PermanentAttemptException($"role '{role.Name}' has no in-process runner (its runner is {CoreConfiguration.RunnerName(role.Runner)})");

        AgentResult result;
        try
        {
            result = await runner.RunAsync(attempt, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or PermanentAttemptException or TransientAttemptException))
        {
            // IAgentRunner: an exception escaping a runner is a transient failure.
            throw new TransientAttemptException($"the {CoreConfiguration.RunnerName(role.Runner)} runner failed: {ex.Message}", ex);
        }

        var (screened, warnings) = SecretScreening.ScreenResult(result, security.SecretScan);
        result = screened;
        if (result.Status == AgentResultStatus.Failed)
        {
            var message = string.IsNullOrWhiteSpace(result.Summary) ? "the agent reported a failure" : result.Summary.Trim();
            throw result.Permanent ? new PermanentAttemptException(message) : new TransientAttemptException(message);
        }

        var problems = writer.Validate(result);
        if (problems.Count > 0)
        {
            throw new PermanentAttemptException("the agent's result cannot be stored: " + string.Join("; ", problems));
        }

        var taskEnded = await artifacts.ExistsAsync(ArtifactLayout.TaskResult(attempt.TaskId), cancellationToken);
        var stored = await writer.WriteAsync(attempt.TaskId, attempt.Role, attempt.Attempt, result, cancellationToken);
        if (taskEnded)
        {
            await writer.DiscardAsync(attempt.TaskId, attempt.Role, attempt.Attempt, stored, cancellationToken);
            logger.LateResultDiscarded(attempt.TaskId, attempt.Role, attempt.Attempt);
        }

        stored = stored with { Warnings = warnings.Count > 0 ? warnings : null };
        return (new RoleAttemptOutcome(stored, result.Status == AgentResultStatus.NeedsApproval), CircuitOutcome.Success);
    }

    [Function(OrchestrationNames.WriteDeadLetter)]
    public async Task WriteDeadLetterAsync([ActivityTrigger] DeadLetterRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var record = new DeadLetterRecord
        {
            Id = request.Id,
            TaskId = request.TaskId,
            Role = request.Role,
            Attempts = request.Attempts,
            Failures = request.Failures,
            Reason = request.Reason,
            DeadLetteredAt = request.DeadLetteredAt,
            Spec = request.Spec,
            SpecRef = ArtifactLayout.Spec(request.TaskId),
            ReplayOf = request.Spec.ReplayOf,
            TraceParent = request.TraceParent,
        };
        using var span = DeadLetterSpans.Start(record);
        if (await deadLetters.TryCreateAsync(record, context.CancellationToken))
        {
            logger.DeadLettered(request.TaskId, request.Role, request.Id, request.Reason);
        }
    }

    [Function(OrchestrationNames.WriteTaskResult)]
    public Task WriteTaskResultAsync([ActivityTrigger] TaskResultRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return artifacts.WriteJsonAsync(ArtifactLayout.TaskResult(request.TaskId), request.Result, context.CancellationToken);
    }

    [Function(OrchestrationNames.DiscardResult)]
    public Task DiscardResultAsync([ActivityTrigger] DiscardRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return writer.DiscardAsync(request.TaskId, request.Role, request.Attempt, request.Result, context.CancellationToken);
    }

    /// <summary>
    /// Stores the envelope (context and prompt filled in), then enqueues the small work message on the attempt's route
    /// (its role, priority and requirements); returns its send receipt as a <see cref="Engine.LeaseToken"/> (message id
    /// and pop receipt), with which the lease API can take this very message for a worker that names the task. While
    /// the role's circuit breaker is open nothing is sent: the answer says until when it holds.
    /// </summary>
    [Function(OrchestrationNames.DispatchRemoteAttempt)]
    public async Task<RemoteDispatch> DispatchRemoteAttemptAsync([ActivityTrigger] RemoteWorkItem item, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.CancellationToken;
        if (await circuits.HoldsUntilAsync(item.Role, cancellationToken) is { } heldUntil)
        {
            return new RemoteDispatch(null, heldUntil);
        }

                var input = item.Input.Attempt == item.Attempt ? item.Input : AttemptFactory.Renumber(item.Input, item.Attempt, item.Trace);
        var envelope = await AttemptEnvelopes.CompleteAsync(input, artifacts, cancellationToken);
        await artifacts.WriteJsonAsync(RemotePaths.Envelope(item.TaskId, item.Role, item.Attempt), envelope, cancellationToken);
        var message = JsonSerializer.Serialize(item.ToMessage(), CoreJson.Options);
        var queue = await queues.EnsureAsync(item.Route, cancellationToken);
        var receipt = await queue.SendMessageAsync(message, cancellationToken);
        logger.AttemptDispatched(item.TaskId, item.Role, item.Attempt, receipt.Value.MessageId);
        return new RemoteDispatch(Engine.LeaseToken.Encode(receipt.Value.MessageId, receipt.Value.PopReceipt), null);
    }
}
