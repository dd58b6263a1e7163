using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Logging;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Orchestration;

/// <summary>
/// One execution (or replay) of a task's orchestration. The Core decider makes every decision; this class
/// only turns its commands into Durable work (activities, sub-orchestrations, timers) and what completes
/// into decider events. Deterministic: the context's clock, timers and event waits are the only inputs.
/// </summary>
internal sealed class AgentTaskRun : IDisposable
{
    private readonly TaskOrchestrationContext _context;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<PendingRole> _roles = [];
    private readonly List<PendingApproval> _approvals = [];
    private readonly List<Task> _sideEffects = [];
    private readonly Dictionary<string, CancellationTokenSource> _retryWaits = new(StringComparer.Ordinal);
    private Dictionary<string, RoleRoute> _routes = new(StringComparer.Ordinal);
    private TaskState _state = null!;
    private string? _contextRef;

    /// <summary>The inline role whose failure the retry policy is reporting (its retry is the policy's, not a new run).</summary>
    private string? _retriedByPolicy;
    private Task? _deadline;
    private Task<JsonElement>? _approvalWait;
    private Task<JsonElement>? _cancelWait;
    private Task<JsonElement>? _progressWait;

    public AgentTaskRun(TaskOrchestrationContext context)
    {
        _context = context;
        _logger = context.CreateReplaySafeLogger(typeof(AgentTaskOrchestrator).FullName!);
    }

    private DateTimeOffset Now => new(DateTime.SpecifyKind(_context.CurrentUtcDateTime, DateTimeKind.Utc));

    public async Task<TaskResultDocument> RunAsync()
    {
        var input = _context.GetInput<TaskInput>()
            ?? throw new InvalidOperationException("The orchestration input must be a task input (plan and context reference).");
        var plan = input.ToPlan();
        _contextRef = input.ContextRef;
        try
        {
            // Runner kinds are read once, by an activity, so replays see the configuration the task started with.
            var routes = await _context.CallActivityAsync<RoleRoute[]>(
                OrchestrationNames.DescribeRoles, plan.Roles.Select(r => r.Name).ToArray(), RetryPolicies.SideEffects);
            _routes = routes.ToDictionary(r => r.Role, StringComparer.Ordinal);

            var start = WorkflowDecider.Start(plan, Now);
            _state = start.State;
            Execute(start.Commands);
            ArmExternalWaits();
            Publish();

            while (!_state.IsTerminal)
            {
                var completed = await Task.WhenAny(Pending());
                Handle(completed);
                Publish();
            }
        }
        finally
        {
            // A Durable orchestration must not linger on a forgotten timer or wait.
            _lifetime.Cancel();
        }

        await SettleSideEffectsAsync();
        var result = TaskViewProjector.ToResult(_state)!;
        if (_state.Status == AgentTaskStatus.Completed)
        {
            return result;
        }

        throw new AgentTaskEndedException(_state.Id, _state.Status, _state.Outcome?.Reason ?? Names.Of(_state.Status));
    }

    public void Dispose()
    {
        foreach (var approval in _approvals)
        {
            approval.Cancellation.Dispose();
        }

        foreach (var retry in _retryWaits.Values)
        {
            retry.Dispose();
        }

        _lifetime.Dispose();
    }

    private List<Task> Pending()
    {
        var pending = new List<Task>(_roles.Count + _approvals.Count + 4);
        pending.AddRange(_roles.Select(r => r.Run));
        pending.AddRange(_approvals.Select(a => a.Timer));
        if (_deadline is not null)
        {
            pending.Add(_deadline);
        }

        pending.Add(_approvalWait!);
        pending.Add(_cancelWait!);
        pending.Add(_progressWait!);
        return pending;
    }

    [SuppressMessage("DurableTask", "DURABLE0010", Justification = "_logger comes from context.CreateReplaySafeLogger (see the constructor); the analyzer cannot see through the field.")]
    private void Handle(Task completed)
    {
        if (completed == _deadline)
        {
            _deadline = null;
            Apply(new DeadlineReached());
        }
        else if (completed == _approvalWait)
        {
            _approvalWait = Wait(OrchestrationEvents.Approval);
            if (Payload(completed) is { } payload && ExternalEventParser.ParseApproval(payload) is { } decided)
            {
                Apply(decided);
            }
            else
            {
                _logger.MalformedEvent(_state.Id, OrchestrationEvents.Approval);
            }
        }
        else if (completed == _cancelWait)
        {
            _cancelWait = Wait(OrchestrationEvents.Cancel);
            Apply(ExternalEventParser.ParseCancel(Payload(completed) ?? default));
        }
        else if (completed == _progressWait)
        {
            _progressWait = Wait(OrchestrationEvents.Progress);
            if (Payload(completed) is { } payload && ExternalEventParser.ParseProgress(payload) is { } progress
                && _state.FindRole(progress.Role) is { } role)
            {
                // Remote retries happen inside the role's sub-orchestration: the task sees one attempt per role run.
                Apply(new RoleProgressReported(progress.Role, role.Attempt, progress.Progress, progress.Message));
            }
        }
        else if (_approvals.Find(a => a.Timer == completed) is { } approval)
        {
            _approvals.Remove(approval);
            approval.Cancellation.Dispose();
            Apply(new ApprovalTimedOut(approval.Role, approval.DeadlineAt));
        }
        else if (_roles.Find(r => r.Run == completed) is { } role)
        {
            _roles.Remove(role);
            EndRetryWait(role.Role);

            var outcome = role.Run.Status == TaskStatus.RanToCompletion
                ? role.Run.Result
                : RoleRunResult.Failure(role.Role, 1, [new AttemptFailure(1, Now, FailureKind.Transient, role.Run.Exception?.GetBaseException().Message ?? "the role run was interrupted")]);
            if (outcome.ToEvent() is { } roleEvent)
            {
                Apply(roleEvent);
            }
        }
    }

    [SuppressMessage("DurableTask", "DURABLE0010", Justification = "_logger comes from context.CreateReplaySafeLogger (see the constructor); the analyzer cannot see through the field.")]
    private void Apply(WorkflowEvent workflowEvent)
    {
        var decision = WorkflowDecider.Apply(_state, workflowEvent, Now);
        if (!decision.Applied && decision.Commands.Count == 0)
        {
            _logger.EventIgnored(_state.Id, workflowEvent.GetType().Name);
            return;
        }

        _state = decision.State;
        Execute(decision.Commands);
        CancelDecidedApprovalTimers();
    }

    private void Execute(IReadOnlyList<WorkflowCommand> commands)
    {
        foreach (var command in commands)
        {
            switch (command)
            {
                case ScheduleDeadline deadline:
                    _deadline = _context.CreateTimer(deadline.DeadlineAt.UtcDateTime, _lifetime.Token);
                    break;
                case AwaitApproval await:
                    var source = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
                    _approvals.Add(new PendingApproval(await.Role, await.DeadlineAt, _context.CreateTimer(await.DeadlineAt.UtcDateTime, source.Token), source));
                    break;
                case RunRoleAttempt run when run.Role == _retriedByPolicy:
                    // The Durable retry policy runs this attempt after the same delay; a timer at its due time marks its start.
                    WaitForRetry(run);
                    break;
                case RunRoleAttempt run:
                    StartRole(run);
                    break;
                case CancelRoleAttempt cancel when Route(cancel.Role) is { Remote: true }:
                    // The worker learns it on its next heartbeat; the sub-orchestration stops waiting now.
                    _context.SendEvent(
                        OrchestrationNames.RemoteInstanceId(_state.Id, cancel.Role),
                        OrchestrationEvents.Cancel,
                        new CancelEventPayload(null, "the task ended"));
                    break;
                case CancelRoleAttempt:
                    // An activity cannot be stopped; it sees result.json and keeps its result as discarded.
                    break;
                case WriteDeadLetter deadLetter:
                    _sideEffects.Add(_context.CallActivityAsync(
                        OrchestrationNames.WriteDeadLetter,
                        new DeadLetterRequest(deadLetter.DeadLetterId, _state.Id, deadLetter.Role, deadLetter.Attempts, deadLetter.Failures, deadLetter.Reason, Now, _state.Spec with { Context = null }),
                        RetryPolicies.SideEffects));
                    break;
                case DiscardResult discard:
                    _sideEffects.Add(_context.CallActivityAsync(
                        OrchestrationNames.DiscardResult,
                        new DiscardRequest(_state.Id, discard.Role, discard.Attempt, discard.Result),
                        RetryPolicies.SideEffects));
                    break;
                case WriteTaskResult:
                    _sideEffects.Add(_context.CallActivityAsync(
                        OrchestrationNames.WriteTaskResult,
                        new TaskResultRequest(_state.Id, TaskViewProjector.ToResult(_state)!),
                        RetryPolicies.SideEffects));
                    break;
                case FinishTask:
                    break; // the loop ends on the terminal state and cancels every timer and wait
            }
        }
    }

    private void StartRole(RunRoleAttempt run)
    {
        if (run.DueAt is not { } due || due <= Now)
        {
            var started = WorkflowDecider.Apply(_state, new RoleAttemptStarted(run.Role, run.Attempt), Now);
            if (started.Applied)
            {
                _state = started.State;
            }
        }

        // The context travels by reference: activities read it (and build the prompt) from the artifact store. (An
        // input written before TaskInput still has the context inline; the factory then names its artifact.)
        var attempt = AttemptFactory.Create(_state, run);
        attempt = attempt with { Context = null, ContextRef = _contextRef ?? attempt.ContextRef, Prompt = string.Empty };
        var task = Route(run.Role) is { Remote: true } route
            ? RunRemoteAsync(run, attempt, route)
            : RunInlineAsync(run, attempt);
        _roles.Add(new PendingRole(run.Role, task));
    }

    private async Task<RoleRunResult> RunInlineAsync(RunRoleAttempt run, Core.Runners.AgentAttempt attempt)
    {
        await DelayUntilAsync(run.DueAt);
        var reported = 0;
        var policy = RetryPolicies.ForRole(run.Schedule, details =>
        {
            reported++;
            return OnInlineFailure(run.Role, details);
        });
        try
        {
            var outcome = await _context.CallActivityAsync<RoleAttemptOutcome>(
                OrchestrationNames.RunRoleAttempt, new RoleAttemptRequest(attempt), TaskOptions.FromRetryPolicy(policy));
            return RoleRunResult.Success(run.Role, CurrentAttempt(run.Role), outcome.Result, outcome.NeedsApproval);
        }
        catch (TaskFailedException ex)
        {
            if (_state.FindRole(run.Role) is not { Status: RoleStatus.Pending or RoleStatus.Running or RoleStatus.Retrying })
            {
                // The failure callback already gave the decider the last failure (and it dead-lettered the role).
                return RoleRunResult.Settled(run.Role);
            }

            // The runtime gave up without reporting the last failure to the callback: it is the final one.
            var (kind, message) = AttemptErrors.Describe(ex.FailureDetails);
            var attempts = reported == 0 && kind == FailureKind.Transient ? run.Schedule.MaxAttempts : CurrentAttempt(run.Role);
            return RoleRunResult.Failure(run.Role, attempts, [new AttemptFailure(attempts, Now, kind, message)]);
        }
    }

    /// <summary>
    /// The retry policy's failure filter: each failed attempt of an inline role goes to the decider, which records it
    /// (attempt, time, kind, message) and either schedules the next attempt (the view shows <c>retrying</c> and when)
    /// or dead-letters the role. Runs in orchestrator code, replayed like the rest.
    /// </summary>
    /// <returns>Whether the policy should run the next attempt.</returns>
    private bool OnInlineFailure(string role, TaskFailureDetails details)
    {
        var (kind, message) = AttemptErrors.Describe(details);
        var decision = WorkflowDecider.Apply(_state, new RoleAttemptFailed(role, CurrentAttempt(role), kind, message), Now);
        if (!decision.Applied)
        {
            // The task ended meanwhile (or the role settled): no further attempt is wanted.
            return false;
        }

        _state = decision.State;
        _retriedByPolicy = role;
        try
        {
            Execute(decision.Commands);
        }
        finally
        {
            _retriedByPolicy = null;
        }

        CancelDecidedApprovalTimers();
        Publish();
        return _state.FindRole(role)?.Status == RoleStatus.Retrying;
    }

    /// <summary>The attempt of a role that is running now, or the one about to run after a failure.</summary>
    private int CurrentAttempt(string role) => _state.FindRole(role) is { } state
        ? state.Status == RoleStatus.Running ? state.Attempt : state.Attempt + 1
        : 1;

    /// <summary>
    /// The Durable retry policy runs the next attempt after the same delay on its own timer, which the orchestrator
    /// cannot observe; a timer of its own at the same due time turns the view from <c>retrying</c> to <c>running</c>.
    /// It runs beside the main loop (like the failure callback) and only updates the state the loop reads next.
    /// </summary>
    private void WaitForRetry(RunRoleAttempt run)
    {
        EndRetryWait(run.Role);
        var source = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        _retryWaits[run.Role] = source;
        _ = MarkRetryStartedAsync(run.Role, run.Attempt, run.DueAt ?? Now, source);
    }

    private async Task MarkRetryStartedAsync(string role, int attempt, DateTimeOffset due, CancellationTokenSource source)
    {
        try
        {
            await _context.CreateTimer(due.UtcDateTime, source.Token);
        }
        catch (OperationCanceledException)
        {
            return; // the role finished (or the task ended) first
        }

        if (_retryWaits.GetValueOrDefault(role) == source)
        {
            EndRetryWait(role);
        }

        var started = WorkflowDecider.Apply(_state, new RoleAttemptStarted(role, attempt), Now);
        if (started.Applied)
        {
            _state = started.State;
            Publish();
        }
    }

    private void EndRetryWait(string role)
    {
        if (_retryWaits.Remove(role, out var source))
        {
            source.Cancel();
            source.Dispose();
        }
    }

    private async Task<RoleRunResult> RunRemoteAsync(RunRoleAttempt run, Core.Runners.AgentAttempt attempt, RoleRoute route)
    {
        await DelayUntilAsync(run.DueAt);
        try
        {
            var outcome = await _context.CallSubOrchestratorAsync<RemoteRoleOutcome>(
                OrchestrationNames.RemoteRole,
                new RemoteRoleRequest(attempt, run.Schedule, route.LeaseSeconds),
                new SubOrchestrationOptions(instanceId: OrchestrationNames.RemoteInstanceId(_state.Id, run.Role)));
            return outcome.Kind switch
            {
                RemoteOutcomeKind.Succeeded when outcome.Result is { } result => RoleRunResult.Success(run.Role, run.Attempt, result, outcome.NeedsApproval),
                RemoteOutcomeKind.Canceled => RoleRunResult.WasCanceled(run.Role, outcome.Attempts),
                _ => RoleRunResult.Failure(run.Role, outcome.Attempts, outcome.Failures),
            };
        }
        catch (TaskFailedException ex)
        {
            var (_, message) = AttemptErrors.Describe(ex.FailureDetails);
            return RoleRunResult.Failure(run.Role, run.Attempt, [new AttemptFailure(run.Attempt, Now, FailureKind.Transient, message)]);
        }
    }

    private async Task DelayUntilAsync(DateTimeOffset? dueAt)
    {
        if (dueAt is { } due && due > Now)
        {
            await _context.CreateTimer(due.UtcDateTime, _lifetime.Token);
        }
    }

    private RoleRoute? Route(string role) => _routes.GetValueOrDefault(role);

    private void ArmExternalWaits()
    {
        _approvalWait = Wait(OrchestrationEvents.Approval);
        _cancelWait = Wait(OrchestrationEvents.Cancel);
        _progressWait = Wait(OrchestrationEvents.Progress);
    }

    private Task<JsonElement> Wait(string eventName) => _context.WaitForExternalEvent<JsonElement>(eventName, _lifetime.Token);

    private static JsonElement? Payload(Task completed) =>
        completed is Task<JsonElement> { Status: TaskStatus.RanToCompletion } arrived ? arrived.Result : null;

    /// <summary>Stops the approval timers whose gate was decided (or replaced): a stale timer would only be ignored.</summary>
    private void CancelDecidedApprovalTimers()
    {
        foreach (var approval in _approvals.ToList())
        {
            var gate = approval.Role is null ? _state.Approval : _state.FindRole(approval.Role)?.Approval;
            var open = gate is { IsPending: true } && gate.DeadlineAt == approval.DeadlineAt && !_state.IsTerminal;
            if (!open)
            {
                approval.Cancellation.Cancel();
                approval.Cancellation.Dispose();
                _approvals.Remove(approval);
            }
        }
    }

    private void Publish() => _context.SetCustomStatus(CustomStatusView.ToCustomStatus(TaskViewProjector.ToView(_state)));

    [SuppressMessage("DurableTask", "DURABLE0010", Justification = "_logger comes from context.CreateReplaySafeLogger (see the constructor); the analyzer cannot see through the field.")]
    private async Task SettleSideEffectsAsync()
    {
        foreach (var sideEffect in _sideEffects)
        {
            try
            {
                await sideEffect;
            }
            catch (TaskFailedException ex)
            {
                // The task's outcome stands in its status and output even if a record could not be stored.
                _logger.SideEffectFailed(_state.Id, ex.TaskName, ex.FailureDetails.ErrorMessage);
            }
        }
    }
}
