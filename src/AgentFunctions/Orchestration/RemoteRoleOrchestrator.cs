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
        var first = request.Attempt;
        var schedule = request.Schedule;
        var failures = new List<AttemptFailure>();
        using var lifetime = new CancellationTokenSource();
        var cancel = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.Cancel, lifetime.Token);
        try
        {
            for (var attempt = first.Attempt; ; attempt++)
            {
                context.SetCustomStatus(new RemoteAttemptStatus(first.TaskId, first.Role, attempt));
                var envelope = first with { Attempt = attempt };
                envelope = envelope with { Prompt = PromptBuilder.Build(envelope) };

                AttemptFailure? failure = null;
                using (var attemptScope = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token))
                {
                    try
                    {
                        await context.CallActivityAsync<string>(
                            OrchestrationNames.DispatchRemoteAttempt,
                            new RemoteWorkItem(first.TaskId, first.Role, attempt, context.InstanceId, request.LeaseSeconds, envelope),
                            RetryPolicies.SideEffects);
                    }
                    catch (TaskFailedException ex)
                    {
                        failure = new AttemptFailure(attempt, Now(context), FailureKind.Transient, "could not put the attempt on the work queue: " + AttemptErrors.Describe(ex.FailureDetails).Message);
                    }

                    if (failure is null)
                    {
                        var result = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.RemoteResult(attempt), attemptScope.Token);
                        var timeout = context.CreateTimer(Now(context).AddSeconds(request.TimeoutSeconds).UtcDateTime, attemptScope.Token);
                        var winner = await Task.WhenAny(result, timeout, cancel);
                        if (winner == cancel)
                        {
                            return Canceled(attempt, failures);
                        }

                        if (winner == result)
                        {
                            var reported = Read(result.Result, attempt);
                            if (reported is { Succeeded: true, Result: { } roleResult })
                            {
                                return new RemoteRoleOutcome(RemoteOutcomeKind.Succeeded, attempt, roleResult, reported.NeedsApproval, failures);
                            }

                            failure = new AttemptFailure(attempt, Now(context), reported.Kind, reported.Error ?? "the worker reported a failure");
                        }
                        else
                        {
                            failure = new AttemptFailure(
                                attempt, Now(context), FailureKind.Transient, $"no result within {request.TimeoutSeconds} s of dispatch (lease expired or no worker took it)");
                        }
                    }

                    attemptScope.Cancel();
                }

                failures.Add(failure);
                if (failure.Kind == FailureKind.Permanent || !schedule.AllowsAttemptAfter(attempt))
                {
                    return new RemoteRoleOutcome(RemoteOutcomeKind.Failed, attempt, null, false, failures);
                }

                using var backoffScope = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
                var backoff = context.CreateTimer(Now(context).Add(schedule.DelayAfter(attempt)).UtcDateTime, backoffScope.Token);
                if (await Task.WhenAny(backoff, cancel) == cancel)
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
