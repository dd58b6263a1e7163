using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Retries;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace AgentFunctions.Orchestration;

/// <summary>
/// The attempts of one remote role of a task: each attempt is put on the role's work queue, and the
/// worker's result (raised by the lease API as <c>result-&lt;attempt&gt;</c>) is awaited against the attempt
/// timeout. Failures are retried on the role's schedule with durable timers, up to its cap; a <c>cancel</c>
/// from the task ends it at any point. Deterministic like its parent.
/// </summary>
public static class RemoteRoleOrchestrator
{
    [Function(OrchestrationNames.RemoteRole)]
    public static async Task<RemoteRoleOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.GetInput<RemoteRoleRequest>()
            ?? throw new InvalidOperationException("The remote role orchestration needs its request.");
        var schedule = request.Schedule;
        var failures = new List<AttemptFailure>();
        using var lifetime = new CancellationTokenSource();
        var cancel = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.Cancel, lifetime.Token);
        try
        {
            for (var attempt = request.Attempt.Attempt; ; attempt++)
            {
                var (outcome, failure) = await RunAttemptAsync(context, request, attempt, cancel, failures, lifetime.Token);
                if (outcome is not null)
                {
                    return outcome;
                }

                failures.Add(failure!);
                if (failure!.Kind == FailureKind.Permanent || !schedule.AllowsAttemptAfter(attempt))
                {
                    return new RemoteRoleOutcome(RemoteOutcomeKind.Failed, attempt, null, false, failures);
                }

                // Disposing a linked source does not cancel it: each scope is canceled explicitly on the way out.
                using var backoffScope = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
                var backoff = context.CreateTimer(Now(context).Add(schedule.DelayAfter(attempt)).UtcDateTime, backoffScope.Token);
                var canceled = await Task.WhenAny(backoff, cancel) == cancel;
                backoffScope.Cancel();
                if (canceled)
                {
                    return Canceled(attempt, failures);
                }
            }
        }
        finally
        {
            lifetime.Cancel();
        }
    }

    /// <summary>Dispatches one attempt and waits for its result, its timeout or the cancel: an outcome that ends the role, or a failure.</summary>
    private static async Task<(RemoteRoleOutcome? Outcome, AttemptFailure? Failure)> RunAttemptAsync(
        TaskOrchestrationContext context, RemoteRoleRequest request, int attempt, Task cancel, List<AttemptFailure> failures, CancellationToken lifetime)
    {
        var first = request.Attempt;
        context.SetCustomStatus(new RemoteAttemptStatus(first.TaskId, first.Role, attempt));
        var envelope = first with { Attempt = attempt };
        envelope = envelope with { Prompt = PromptBuilder.Build(envelope) };
        try
        {
            await context.CallActivityAsync<string>(
                OrchestrationNames.DispatchRemoteAttempt,
                new RemoteWorkItem(first.TaskId, first.Role, attempt, context.InstanceId, request.LeaseSeconds, envelope),
                RetryPolicies.SideEffects);
        }
        catch (TaskFailedException ex)
        {
            return (null, new AttemptFailure(attempt, Now(context), FailureKind.Transient, "could not put the attempt on the work queue: " + AttemptErrors.Describe(ex.FailureDetails).Message));
        }

        using var attemptScope = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        var result = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.RemoteResult(attempt), attemptScope.Token);
        var timeout = context.CreateTimer(Now(context).AddSeconds(request.TimeoutSeconds).UtcDateTime, attemptScope.Token);
        var winner = await Task.WhenAny(result, timeout, cancel);
        attemptScope.Cancel();
        if (winner == cancel)
        {
            return (Canceled(attempt, failures), null);
        }

        if (winner != result)
        {
            return (null, new AttemptFailure(attempt, Now(context), FailureKind.Transient, $"no result within {request.TimeoutSeconds} s of dispatch (lease expired or no worker took it)"));
        }

        var reported = Read(result.Result, attempt);
        return reported is { Succeeded: true, Result: { } roleResult }
            ? (new RemoteRoleOutcome(RemoteOutcomeKind.Succeeded, attempt, roleResult, reported.NeedsApproval, failures), null)
            : (null, new AttemptFailure(attempt, Now(context), reported.Kind, reported.Error ?? "the worker reported a failure"));
    }

    private static DateTimeOffset Now(TaskOrchestrationContext context) =>
        new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));

    private static RemoteRoleOutcome Canceled(int attempt, List<AttemptFailure> failures) =>
        new(RemoteOutcomeKind.Canceled, attempt, null, false, failures);

    private static RemoteAttemptResult Read(JsonElement payload, int attempt)
    {
        try
        {
            return payload.Deserialize<RemoteAttemptResult>(CoreJson.Options)
                ?? RemoteAttemptResult.Failure(attempt, FailureKind.Transient, "the result event was empty");
        }
        catch (JsonException ex)
        {
            return RemoteAttemptResult.Failure(attempt, FailureKind.Transient, "the result event was malformed: " + ex.Message);
        }
    }
}
