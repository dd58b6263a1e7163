using System.Globalization;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace AgentFunctions.Orchestration;

/// <summary>
/// The attempts of one remote role of a task: each attempt is put on the role's work queue and waits there, for as
/// long as it takes a worker to lease it (the task's TTL bounds the whole task). Once leased, the attempt lives by
/// its lease, as in the Standalone engine: the lease API raises <c>lease-&lt;attempt&gt;</c> with the new expiry on
/// every lease and heartbeat (a timer is re-armed to it) and with none on a release (back to waiting), and the
/// worker's result arrives as <c>result-&lt;attempt&gt;</c>. A lease that expires without a heartbeat is a transient
/// failure. Failures are retried on the role's schedule with durable timers, up to its cap; a <c>cancel</c> from
/// the task ends it at any point. Deterministic like its parent.
/// </summary>
public static class RemoteRoleOrchestrator
{
    /// <summary>
    /// A lease counts as expired this long after its expiry: the heartbeat that extended it travels as an event,
    /// and a timer that fires first must not fail a healthy attempt.
    /// </summary>
    public static readonly TimeSpan LeaseGrace = TimeSpan.FromSeconds(5);

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

                // From here the failed attempt is no longer current: the lease API drops its messages and late results.
                SetStatus(context, request, attempt + 1);

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

    /// <summary>Dispatches one attempt and waits for its result, its lease to expire or the cancel: an outcome that ends the role, or a failure.</summary>
    private static async Task<(RemoteRoleOutcome? Outcome, AttemptFailure? Failure)> RunAttemptAsync(
        TaskOrchestrationContext context, RemoteRoleRequest request, int attempt, Task cancel, List<AttemptFailure> failures, CancellationToken lifetime)
    {
        var first = request.Attempt;
        SetStatus(context, request, attempt);
        try
        {
            // The activity fills in the context and the prompt of this attempt number before storing the envelope.
            await context.CallActivityAsync<string>(
                OrchestrationNames.DispatchRemoteAttempt,
                new RemoteWorkItem(first.TaskId, first.Role, attempt, context.InstanceId, request.LeaseSeconds, first with { Attempt = attempt }),
                RetryPolicies.SideEffects);
        }
        catch (TaskFailedException ex)
        {
            return (null, new AttemptFailure(attempt, Now(context), FailureKind.Transient, "could not put the attempt on the work queue: " + AttemptErrors.Describe(ex.FailureDetails).Message));
        }

        using var attemptScope = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        var result = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.RemoteResult(attempt), attemptScope.Token);
        var leaseEvent = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.RemoteLease(attempt), attemptScope.Token);
        CancellationTokenSource? expiryScope = null;
        Task? expiry = null;
        DateTimeOffset? expiresAt = null;
        try
        {
            while (true)
            {
                // Waiting in the queue there is no timer at all; a lease arms one at its expiry.
                var winner = expiry is null
                    ? await Task.WhenAny(result, leaseEvent, cancel)
                    : await Task.WhenAny(result, leaseEvent, cancel, expiry);
                if (winner == cancel)
                {
                    return (Canceled(attempt, failures), null);
                }

                if (winner == result)
                {
                    var reported = Read(result.Result, attempt);
                    return reported is { Succeeded: true, Result: { } roleResult }
                        ? (new RemoteRoleOutcome(RemoteOutcomeKind.Succeeded, attempt, roleResult, reported.NeedsApproval, failures), null)
                        : (null, new AttemptFailure(attempt, Now(context), reported.Kind, reported.Error ?? "the worker reported a failure"));
                }

                if (winner == leaseEvent)
                {
                    var lease = ReadLease(leaseEvent.Result);
                    leaseEvent = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.RemoteLease(attempt), attemptScope.Token);
                    if (lease is null || (lease.LeaseExpiresAt is { } later && expiresAt is { } current && later <= current))
                    {
                        continue; // malformed, or older than the expiry already armed
                    }

                    expiryScope?.Cancel();
                    expiryScope?.Dispose();
                    expiryScope = null;
                    expiry = null;
                    expiresAt = lease.LeaseExpiresAt;
                    if (expiresAt is { } at)
                    {
                        expiryScope = CancellationTokenSource.CreateLinkedTokenSource(attemptScope.Token);
                        expiry = context.CreateTimer((at + LeaseGrace).UtcDateTime, expiryScope.Token);
                    }

                    continue;
                }

                var expired = expiresAt!.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                return (null, new AttemptFailure(attempt, Now(context), FailureKind.Transient, $"lease expired at {expired}: the worker neither heartbeated, completed nor failed the attempt in time"));
            }
        }
        finally
        {
            expiryScope?.Cancel();
            expiryScope?.Dispose();
            attemptScope.Cancel();
        }
    }

    /// <summary>The attempt the lease API may hand out and accept results for (any other is superseded).</summary>
    private static void SetStatus(TaskOrchestrationContext context, RemoteRoleRequest request, int attempt) =>
        context.SetCustomStatus(new RemoteAttemptStatus(request.Attempt.TaskId, request.Attempt.Role, attempt));

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

    private static RemoteLeaseEvent? ReadLease(JsonElement payload)
    {
        try
        {
            return payload.Deserialize<RemoteLeaseEvent>(CoreJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
