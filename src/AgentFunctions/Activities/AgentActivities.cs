using System.Text.Json;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Hosting;
using AgentFunctions.Logging;
using AgentFunctions.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

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
    ILogger<AgentActivities> logger)
{
    [Function(OrchestrationNames.DescribeRoles)]
    public RoleRoute[] DescribeRoles([ActivityTrigger] string[] roleNames)
    {
        ArgumentNullException.ThrowIfNull(roleNames);
        return roleNames.Select(name => roles.Find(name) is { } role
                ? new RoleRoute(name, role.Runner == RunnerKind.Remote, (int)role.LeaseDuration.TotalSeconds)
                : new RoleRoute(name, false, 60)) // unknown now: the attempt fails permanently and is dead-lettered
            .ToArray();
    }

    [Function(OrchestrationNames.RunRoleAttempt)]
    public async Task<RoleAttemptOutcome> RunRoleAttemptAsync([ActivityTrigger] RoleAttemptRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return await RunAttemptAsync(await AttemptEnvelopes.CompleteAsync(request.Attempt, artifacts, context.CancellationToken), context.CancellationToken);
    }

    /// <summary>
    /// Runs one attempt: a failure becomes a <see cref="PermanentAttemptException"/> or <see cref="TransientAttemptException"/>
    /// for the orchestrator; a result is stored in the artifact layout. A result that arrives after the task
    /// ended (its <c>result.json</c> exists) is kept only as a discarded artifact.
    /// </summary>
    public async Task<RoleAttemptOutcome> RunAttemptAsync(AgentAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (roles.Find(attempt.Role) is not { } role)
        {
            throw new PermanentAttemptException($"role '{attempt.Role}' is not configured on this host");
        }

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

        return new RoleAttemptOutcome(stored, result.Status == AgentResultStatus.NeedsApproval);
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
        };
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
    /// Stores the envelope (context and prompt filled in), then enqueues the small work message; returns its send
    /// receipt as a <see cref="Engine.LeaseToken"/> (message id and pop receipt), with which the lease API can take this
    /// very message for a worker that names the task.
    /// </summary>
    [Function(OrchestrationNames.DispatchRemoteAttempt)]
    public async Task<string> DispatchRemoteAttemptAsync([ActivityTrigger] RemoteWorkItem item, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.CancellationToken;
        var envelope = await AttemptEnvelopes.CompleteAsync(item.Input with { Attempt = item.Attempt }, artifacts, cancellationToken);
        await artifacts.WriteJsonAsync(RemotePaths.Envelope(item.TaskId, item.Role, item.Attempt), envelope, cancellationToken);
        var message = JsonSerializer.Serialize(item.ToMessage(), CoreJson.Options);
        var receipt = await queues.For(item.Role).SendMessageAsync(message, cancellationToken);
        logger.AttemptDispatched(item.TaskId, item.Role, item.Attempt, receipt.Value.MessageId);
        return Engine.LeaseToken.Encode(receipt.Value.MessageId, receipt.Value.PopReceipt);
    }
}
