using System.Globalization;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Prompts;
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

    /// <summary>
    /// How many lease events (leases, heartbeats, releases) one episode handles before it continues as new. Each
    /// one adds an event and a re-armed timer to the history that every later step replays, so a long attempt
    /// with frequent heartbeats would otherwise grow its history without bound.
    /// </summary>
    public const int LeaseEventsPerEpisode = 25;

    [Function(OrchestrationNames.RemoteRole)]
    public static async Task<RemoteRoleOutcome?> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.GetInput<RemoteRoleRequest>()
            ?? throw new InvalidOperationException("The remote role orchestration needs its request.");
        var schedule = request.Schedule;
        var failures = request.Resume?.Failures.ToList() ?? [];
        var resume = request.Resume;
        using var lifetime = new CancellationTokenSource();
        var cancel = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.Cancel, lifetime.Token);
        try
        {
            for (var attempt = resume?.Attempt ?? request.Attempt.Attempt; ; attempt++)
            {
                var step = await RunAttemptAsync(context, request, attempt, resume, cancel, failures, lifetime.Token);
                resume = null;
                if (step.ContinueWith is { } next)
                {
                    // Events that arrive meanwhile are carried over to the next episode (preserveUnprocessedEvents).
                    context.ContinueAsNew(request with { Resume = next }, preserveUnprocessedEvents: true);
                    return null;
                }

                if (step.Outcome is { } outcome)
                {
                    return outcome;
                }

                var failure = step.Failure!;
                failures.Add(failure);
                if (failure.Kind == FailureKind.Permanent || !schedule.AllowsAttemptAfter(attempt))
                {
                    return new RemoteRoleOutcome(RemoteOutcomeKind.Failed, attempt, null, false, failures);
                }

                // From here the failed attempt is no longer current: the lease API drops its messages and late results.
                SetStatus(context, request, attempt + 1);
                Tell(context, request, new RemoteAttemptEvent(request.Attempt.Role, attempt, failure.Kind, failure.Message));

                if (await BackOffAsync(context, Now(context).Add(schedule.DelayAfter(attempt)), cancel, lifetime.Token))
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

    /// <summary>
    /// Dispatches one attempt (unless <paramref name="resume"/> says it already is) and waits for its result, its
    /// lease to expire or the cancel: an outcome that ends the role, a failure, or where to continue as new.
    /// </summary>
    private static async Task<AttemptStep> RunAttemptAsync(
        TaskOrchestrationContext context, RemoteRoleRequest request, int attempt, RemoteRoleResume? resume, Task cancel, List<AttemptFailure> failures, CancellationToken lifetime)
    {
        var first = request.Attempt;
        var queued = resume?.Queued;
        SetStatus(context, request, attempt, queued);
        if (resume is null or { Held: true })
        {
            var held = resume is { Held: true };
            for (var holds = 0; ; holds++)
            {
                if (holds == LeaseEventsPerEpisode)
                {
                    // A long outage: each hold adds to the history every later step replays; start a new episode.
                    return AttemptStep.Continue(new RemoteRoleResume(attempt, [.. failures], null) { Held = true });
                }

                RemoteDispatch dispatch;
                try
                {
                    // The activity fills in the context and the prompt of this attempt number before storing the envelope.
                    dispatch = await context.CallActivityAsync<RemoteDispatch>(
                        OrchestrationNames.DispatchRemoteAttempt,
                        new RemoteWorkItem(first.TaskId, first.Role, attempt, context.InstanceId, request.LeaseSeconds, AttemptFactory.Renumber(first, attempt, request.Trace))
                        {
                            Trace = request.Trace,
                        },
                        RetryPolicies.SideEffects);
                }
                catch (TaskFailedException ex)
                {
                    return AttemptStep.Failed(new AttemptFailure(attempt, Now(context), FailureKind.Transient, "could not put the attempt on the work queue: " + AttemptErrors.Describe(ex.FailureDetails).Message));
                }

                if (dispatch.HeldUntil is not { } until)
                {
                    queued = dispatch.Queued;
                    SetStatus(context, request, attempt, queued);
                    if (held)
                    {
                        Tell(context, request, new RemoteAttemptEvent(first.Role, attempt, null, null) { Released = true });
                    }

                    break;
                }

                // The role's circuit breaker is open: the attempt waits, uncounted, and is put on the queue after the break.
                held = true;
                Tell(context, request, new RemoteAttemptEvent(first.Role, attempt, null, null) { HeldUntil = until });
                if (await BackOffAsync(context, until, cancel, lifetime))
                {
                    return AttemptStep.Ended(Canceled(attempt, failures));
                }
            }

            resume = null;
        }

        using var attemptScope = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        var result = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.RemoteResult(attempt), attemptScope.Token);
        var leaseEvent = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.RemoteLease(attempt), attemptScope.Token);
        CancellationTokenSource? expiryScope = null;
        Task? expiry = null;
        DateTimeOffset? expiresAt = null;
        try
        {
            void Arm(DateTimeOffset? at)
            {
                expiryScope?.Cancel();
                expiryScope?.Dispose();
                expiryScope = null;
                expiry = null;
                expiresAt = at;
                if (at is { } due)
                {
                    expiryScope = CancellationTokenSource.CreateLinkedTokenSource(attemptScope.Token);
                    expiry = context.CreateTimer((due + LeaseGrace).UtcDateTime, expiryScope.Token);
                }
            }

            Arm(resume?.LeaseExpiresAt);
            for (var leaseEvents = 0; leaseEvents < LeaseEventsPerEpisode;)
            {
                // Waiting in the queue there is no timer at all; a lease arms one at its expiry.
                var winner = expiry is null
                    ? await Task.WhenAny(result, leaseEvent, cancel)
                    : await Task.WhenAny(result, leaseEvent, cancel, expiry);
                if (winner == cancel)
                {
                    return AttemptStep.Ended(Canceled(attempt, failures));
                }

                if (winner == result)
                {
                    var reported = Read(result.Result, attempt);
                    return reported is { Succeeded: true, Result: { } roleResult }
                        ? AttemptStep.Ended(new RemoteRoleOutcome(RemoteOutcomeKind.Succeeded, attempt, roleResult, reported.NeedsApproval, failures))
                        : AttemptStep.Failed(new AttemptFailure(attempt, Now(context), reported.Kind, reported.Error ?? "the worker reported a failure"));
                }

                if (winner == leaseEvent)
                {
                    leaseEvents++;
                    var lease = ReadLease(leaseEvent.Result);
                    leaseEvent = context.WaitForExternalEvent<JsonElement>(OrchestrationEvents.RemoteLease(attempt), attemptScope.Token);
                    if (lease is null || (lease.LeaseExpiresAt is { } later && expiresAt is { } current && later <= current))
                    {
                        continue; // malformed, or older than the expiry already armed
                    }

                    if (lease.LeaseExpiresAt is null && lease.Queued is { } requeued)
                    {
                        // Not a lease change: after a release the attempt waits in a fresh message, which a worker
                        // naming the task may take with this receipt. (The release itself came as its own event.)
                        queued = requeued;
                        SetStatus(context, request, attempt, queued);
                        continue;
                    }

                    if (expiresAt is null && lease.LeaseExpiresAt is not null)
                    {
                        // Leased (not a heartbeat): the attempt starts now, as the task's view shows it.
                        Tell(context, request, new RemoteAttemptEvent(first.Role, attempt, null, null) { Worker = lease.WorkerId ?? "anonymous" });
                    }
                    else if (expiresAt is not null && lease.LeaseExpiresAt is null)
                    {
                        // Released: the attempt waits in the queue again, and the task's view shows it waiting.
                        Tell(context, request, new RemoteAttemptEvent(first.Role, attempt, null, null) { Returned = true });
                    }

                    Arm(lease.LeaseExpiresAt);
                    continue;
                }

                if (Now(context) < expiresAt!.Value + LeaseGrace)
                {
                    Arm(expiresAt); // the timer fired early (see BackOffAsync): the lease still holds
                    continue;
                }

                var expired = expiresAt.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                return AttemptStep.Failed(new AttemptFailure(attempt, Now(context), FailureKind.Transient, $"lease expired at {expired}: the worker neither heartbeated, completed nor failed the attempt in time"));
            }

            return AttemptStep.Continue(new RemoteRoleResume(attempt, [.. failures], expiresAt, queued));
        }
        finally
        {
            expiryScope?.Cancel();
            expiryScope?.Dispose();
            attemptScope.Cancel();
        }
    }

    /// <summary>
    /// Waits until <paramref name="due"/> unless the task cancels first (true). A timer may fire early (Azure Storage
    /// makes a queue message visible in whole seconds), so the wait goes on until the orchestration's clock is due.
    /// </summary>
    private static async Task<bool> BackOffAsync(TaskOrchestrationContext context, DateTimeOffset due, Task cancel, CancellationToken lifetime)
    {
        while (Now(context) < due)
        {
            // Disposing a linked source does not cancel it: each scope is canceled explicitly on the way out.
            using var backoffScope = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
            var backoff = context.CreateTimer(due.UtcDateTime, backoffScope.Token);
            var canceled = await Task.WhenAny(backoff, cancel) == cancel;
            backoffScope.Cancel();
            if (canceled)
            {
                return true;
            }
        }

        return cancel.IsCompleted;
    }

    /// <summary>Tells the task (whose instance id is its task id) how the role's attempts go, for its view.</summary>
    private static void Tell(TaskOrchestrationContext context, RemoteRoleRequest request, RemoteAttemptEvent attemptEvent) =>
        context.SendEvent(request.Attempt.TaskId, OrchestrationEvents.RemoteAttempt, attemptEvent);

    /// <summary>The attempt the lease API may hand out and accept results for (any other is superseded).</summary>
    private static void SetStatus(TaskOrchestrationContext context, RemoteRoleRequest request, int attempt, string? queued = null) =>
        context.SetCustomStatus(new RemoteAttemptStatus(request.Attempt.TaskId, request.Attempt.Role, attempt, queued) { Trace = request.Trace });

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

    /// <summary>How one attempt's wait ended: the role's outcome, a failed attempt, or the state to continue as new with.</summary>
    private sealed record AttemptStep(RemoteRoleOutcome? Outcome, AttemptFailure? Failure, RemoteRoleResume? ContinueWith)
    {
        public static AttemptStep Ended(RemoteRoleOutcome outcome) => new(outcome, null, null);

        public static AttemptStep Failed(AttemptFailure failure) => new(null, failure, null);

        public static AttemptStep Continue(RemoteRoleResume resume) => new(null, null, resume);
    }
}
