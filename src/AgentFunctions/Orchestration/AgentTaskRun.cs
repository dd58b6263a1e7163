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
    private readonly List<PendingRetry> _retries = [];
    private readonly List<PendingAdmission> _admissions = [];
    private readonly List<Task> _sideEffects = [];

    // Dead-letter records decided since the last Publish: the view names one only once it is stored.
    private readonly List<Task> _deadLetterWrites = [];
    private Dictionary<string, RoleRoute> _routes = new(StringComparer.Ordinal);
    private TaskState _state = null!;
    private string? _contextRef;
    private Task? _deadline;
    private Task<JsonElement>? _approvalWait;
    private Task<JsonElement>? _cancelWait;
    private Task<JsonElement>? _progressWait;
    private Task<JsonElement>? _remoteAttemptWait;

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
                await StoreDeadLettersAsync();
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

        foreach (var retry in _retries)
        {
            retry.Cancellation.Dispose();
        }

        _lifetime.Dispose();
    }

    private List<Task> Pending()
    {
        var pending = new List<Task>(_roles.Count + _retries.Count + _approvals.Count + _admissions.Count + 5);
        pending.AddRange(_roles.Select(r => r.Run));
        pending.AddRange(_admissions.Select(a => a.Admission));
        pending.AddRange(_retries.Select(r => r.Timer));
        pending.AddRange(_approvals.Select(a => a.Timer));
        if (_deadline is not null)
        {
            pending.Add(_deadline);
        }

        pending.Add(_approvalWait!);
        pending.Add(_cancelWait!);
        pending.Add(_progressWait!);
        pending.Add(_remoteAttemptWait!);
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
            if (Payload(completed) is { } payload && ExternalEventParser.ParseProgress(payload) is { } progress)
            {
                if (Route(progress.Role) is { Remote: true } && _state.FindRole(progress.Role) is { Status: not RoleStatus.Running })
                {
                    // A heartbeat proves the attempt is leased, even if the sub-orchestration's word of it is still on its way.
                    Apply(new RoleAttemptStarted(progress.Role, progress.Attempt));
                }

                Apply(new RoleProgressReported(progress.Role, progress.Attempt, progress.Progress, progress.Message));
            }
        }
        else if (completed == _remoteAttemptWait)
        {
            _remoteAttemptWait = Wait(OrchestrationEvents.RemoteAttempt);
            if (Payload(completed) is { } payload && ExternalEventParser.ParseRemoteAttempt(payload) is { } attempt
                && Route(attempt.Role) is { Remote: true })
            {
                Apply(attempt.ToWorkflowEvent());
            }
        }
        else if (_approvals.Find(a => a.Timer == completed) is { } approval)
        {
            _approvals.Remove(approval);
            approval.Cancellation.Dispose();
            Apply(new ApprovalTimedOut(approval.Role, approval.DeadlineAt));
        }
        else if (_retries.Find(r => r.Timer == completed) is { } retry)
        {
            _retries.Remove(retry);
            retry.Cancellation.Dispose();
            if (retry.Command.DueAt is { } due && due > Now)
            {
                // Timers may fire early (Azure Storage makes a queue message visible in whole seconds): wait the rest.
                WaitToStart(retry.Command, due);
            }
            else
            {
                StartRole(retry.Command);
            }
        }
        else if (_admissions.Find(a => a.Admission == completed) is { } admission)
        {
            _admissions.Remove(admission);
            Admitted(admission);
        }
        else if (_roles.Find(r => r.Run == completed) is { } role)
        {
            _roles.Remove(role);
            var outcome = role.Run.Status == TaskStatus.RanToCompletion ? role.Run.Result : [role.Interrupted(role.Run.Exception?.GetBaseException().Message, Now)];
            foreach (var roleEvent in outcome)
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
                case RunRoleAttempt run when run.Attempt > 1 && Route(run.Role) is { Remote: true }:
                    // A remote role's sub-orchestration runs its retries itself and tells the task (RemoteAttemptEvent).
                    break;
                case RunRoleAttempt run when run.DueAt is { } due && due > Now:
                    WaitToStart(run, due);
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
                case CancelRoleAttempt cancel:
                    // A retry that has not started is dropped; an activity that runs cannot be stopped: it sees
                    // result.json and keeps its result as discarded.
                    DropRetry(cancel.Role);
                    break;
                case WriteDeadLetter deadLetter:
                    _deadLetterWrites.Add(_context.CallActivityAsync(
                        OrchestrationNames.WriteDeadLetter,
                        new DeadLetterRequest(deadLetter.DeadLetterId, _state.Id, deadLetter.Role, deadLetter.Attempts, deadLetter.Failures, deadLetter.Reason, Now, _state.Spec with { Context = null })
                        {
                            TraceParent = _state.Trace?.TraceParent,
                        },
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

    /// <summary>
    /// Starts attempt <see cref="RunRoleAttempt.Attempt"/> of a role, unless the role's runner here cannot meet the
    /// attempt's requirements (it then waits, as its view says, until the task ends). An inline attempt the circuit
    /// breaker held before asks the breaker first (<c>AdmitAttempt</c>); any other starts now.
    /// </summary>
    private void StartRole(RunRoleAttempt run)
    {
        var route = Route(run.Role);
        if (route is not null && !route.CanRun(_state.Spec.RequirementsOf(run.Stage)))
        {
            return;
        }

        if (route is not { Remote: true } && _state.FindRole(run.Role)?.CircuitHeldUntil is not null)
        {
            _admissions.Add(new PendingAdmission(run, AdmitAsync(run.Role, run.Attempt)));
            return;
        }

        StartRoleNow(run, admission: null);
    }

    /// <summary>The breaker's word on a held attempt; if the breaker cannot be read, the attempt's own activity asks it again.</summary>
    private async Task<AttemptAdmission> AdmitAsync(string role, int attempt)
    {
        try
        {
            return await _context.CallActivityAsync<AttemptAdmission>(OrchestrationNames.AdmitAttempt, new AdmitRequest(role, attempt), RetryPolicies.SideEffects);
        }
        catch (TaskFailedException)
        {
            return new AttemptAdmission(Core.Resilience.CircuitVerdict.Admitted, null);
        }
    }

    /// <summary>A held attempt heard from the breaker: held again (until a later time), or released and started.</summary>
    private void Admitted(PendingAdmission admission)
    {
        var run = admission.Command;
        var answer = admission.Admission.Result;
        if (answer is { Verdict: Core.Resilience.CircuitVerdict.Held, HeldUntil: { } until })
        {
            Apply(new RoleCircuitHeld(run.Role, run.Attempt, until));
            if (_state.FindRole(run.Role) is { CircuitHeldUntil: not null } role && !_state.IsTerminal && _state.InPlay(role))
            {
                WaitToStart(run, until);
            }

            return;
        }

        Apply(new RoleCircuitReleased(run.Role));
        StartRoleNow(run, answer.Verdict);
    }

    /// <summary>
    /// Starts attempt <see cref="RunRoleAttempt.Attempt"/> of a role now: an inline role's activity, called once with
    /// an envelope built for that attempt number (the decider records the start), or the remote role's
    /// sub-orchestration, which runs its attempts on the role's schedule itself and tells the task when one is leased.
    /// </summary>
    [SuppressMessage("DurableTask", "DURABLE0010", Justification = "_logger comes from context.CreateReplaySafeLogger (see the constructor); the analyzer cannot see through the field.")]
    private void StartRoleNow(RunRoleAttempt run, Core.Resilience.CircuitVerdict? admission)
    {
        var started = WorkflowDecider.Apply(_state, new RoleAttemptStarted(run.Role, run.Attempt), Now);
        if (!started.Applied)
        {
            // The task ended or the role settled while the attempt waited to start.
            _logger.EventIgnored(_state.Id, nameof(RoleAttemptStarted));
            return;
        }

        // A remote attempt starts when a worker leases it (its sub-orchestration says so), as in the Standalone
        // server; until then the role waits in the queue as pending.
        var remote = Route(run.Role) is { Remote: true };
        if (!remote)
        {
            _state = started.State;
        }

        // The context travels by reference: activities read it (and build the prompt) from the artifact store. (An
        // input written before TaskInput still has the context inline; the factory then names its artifact.)
        var attempt = AttemptFactory.Create(_state, run);
        attempt = attempt with { Context = null, ContextRef = _contextRef ?? attempt.ContextRef, Prompt = string.Empty };
        _roles.Add(remote
            ? new PendingRole(run.Role, run.Attempt, true, RunRemoteAsync(run, attempt, Route(run.Role)!))
            : new PendingRole(run.Role, run.Attempt, false, RunInlineAsync(run, attempt, admission)));
    }

    /// <summary>
    /// One attempt of an inline role: a single activity call, without a Durable retry policy. durabletask-dotnet
    /// tells an activity nothing about its retries, so a policy would re-send this attempt's envelope (attempt
    /// number, prompt) on every try; instead each failure goes back to the decider, which schedules the next attempt.
    /// </summary>
    private async Task<IReadOnlyList<WorkflowEvent>> RunInlineAsync(RunRoleAttempt run, Core.Runners.AgentAttempt attempt, Core.Resilience.CircuitVerdict? admission)
    {
        try
        {
            var outcome = await _context.CallActivityAsync<RoleAttemptOutcome>(OrchestrationNames.RunRoleAttempt, new RoleAttemptRequest(attempt, admission) { Trace = _state.Trace });
            return outcome switch
            {
                { HeldUntil: { } until } => [new RoleCircuitHeld(run.Role, run.Attempt, until)],
                { Failure: { } kind } => [new RoleAttemptFailed(run.Role, run.Attempt, kind, outcome.Error ?? "the attempt failed")],
                { Result: { } result, NeedsApproval: true } => [new RoleNeedsApproval(run.Role, run.Attempt, result)],
                { Result: { } result } => [new RoleSucceeded(run.Role, run.Attempt, result)],
                _ => [new RoleAttemptFailed(run.Role, run.Attempt, FailureKind.Transient, "the attempt's activity answered without a result")],
            };
        }
        catch (TaskFailedException ex)
        {
            var (kind, message) = AttemptErrors.Describe(ex.FailureDetails);
            return [new RoleAttemptFailed(run.Role, run.Attempt, kind, message)];
        }
    }

    /// <summary>
    /// All attempts of a remote role, as its sub-orchestration runs them. It tells the task of each failure and retry
    /// as they happen (see <see cref="OrchestrationEvents.RemoteAttempt"/>); its outcome repeats them, so the task's
    /// view ends right even if one of those events is still on its way (the decider ignores what it already knows).
    /// </summary>
    private async Task<IReadOnlyList<WorkflowEvent>> RunRemoteAsync(RunRoleAttempt run, Core.Runners.AgentAttempt attempt, RoleRoute route)
    {
        try
        {
            var outcome = await _context.CallSubOrchestratorAsync<RemoteRoleOutcome>(
                OrchestrationNames.RemoteRole,
                new RemoteRoleRequest(attempt, run.Schedule, route.LeaseSeconds) { Trace = _state.Trace },
                new SubOrchestrationOptions(instanceId: OrchestrationNames.RemoteInstanceId(_state.Id, run.Role)));
            if (outcome.Kind == RemoteOutcomeKind.Canceled)
            {
                return []; // the task was canceled: the decider already knows
            }

            var events = new List<WorkflowEvent>();
            var retried = outcome.Kind == RemoteOutcomeKind.Failed ? outcome.Failures.SkipLast(1) : outcome.Failures;
            foreach (var failure in retried.Where(f => f.Attempt >= run.Attempt))
            {
                events.Add(new RoleAttemptFailed(run.Role, failure.Attempt, failure.Kind, failure.Message));
                events.Add(new RoleAttemptStarted(run.Role, failure.Attempt + 1));
            }

            events.Add(outcome switch
            {
                { Kind: RemoteOutcomeKind.Succeeded, Result: { } result, NeedsApproval: true } => new RoleNeedsApproval(run.Role, outcome.Attempts, result),
                { Kind: RemoteOutcomeKind.Succeeded, Result: { } result } => new RoleSucceeded(run.Role, outcome.Attempts, result),
                _ => new RoleFailedFinally(run.Role, outcome.Attempts, outcome.Failures.TakeLast(1).ToList()),
            });
            return events;
        }
        catch (TaskFailedException ex)
        {
            var (_, message) = AttemptErrors.Describe(ex.FailureDetails);
            return [new RoleFailedFinally(run.Role, run.Attempt, [new AttemptFailure(run.Attempt, Now, FailureKind.Transient, message)])];
        }
    }

    /// <summary>The next attempt after a failure: a durable timer until it is due, then it starts (see Handle).</summary>
    private void WaitToStart(RunRoleAttempt run, DateTimeOffset due)
    {
        var wait = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        _retries.Add(new PendingRetry(run, _context.CreateTimer(due.UtcDateTime, wait.Token), wait));
    }

    /// <summary>Stops waiting to start a role's next attempt (the role was canceled with its task).</summary>
    private void DropRetry(string role)
    {
        foreach (var retry in _retries.Where(r => r.Command.Role == role).ToList())
        {
            retry.Cancellation.Cancel();
            retry.Cancellation.Dispose();
            _retries.Remove(retry);
        }
    }

    private RoleRoute? Route(string role) => _routes.GetValueOrDefault(role);

    private void ArmExternalWaits()
    {
        _approvalWait = Wait(OrchestrationEvents.Approval);
        _cancelWait = Wait(OrchestrationEvents.Cancel);
        _progressWait = Wait(OrchestrationEvents.Progress);
        _remoteAttemptWait = Wait(OrchestrationEvents.RemoteAttempt);
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

    /// <summary>
    /// Waits for the dead-letter records just decided, so that a client who reads a <c>deadLetterId</c> in the view finds
    /// the record. A record that could not be stored does not hold the task up: its outcome stands in the view.
    /// </summary>
    private async Task StoreDeadLettersAsync()
    {
        if (_deadLetterWrites.Count == 0)
        {
            return;
        }

        var writes = _deadLetterWrites.ToList();
        _deadLetterWrites.Clear();
        _sideEffects.AddRange(writes);
        foreach (var write in writes)
        {
            try
            {
                await write;
            }
            catch (TaskFailedException)
            {
                // Logged with the other side effects when the task ends (SettleSideEffectsAsync).
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
