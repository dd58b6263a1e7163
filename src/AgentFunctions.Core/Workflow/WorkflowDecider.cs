using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow.Commands;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Core.Workflow;

/// <summary>
/// The workflow rules of docs/workflow.md as a pure function: <see cref="Start"/> and <see cref="Apply"/>
/// turn a state and an event into a new state and commands. No clock, no I/O, no randomness:
/// the engine passes <c>now</c> and carries out the commands. Events that do not fit the state
/// (duplicates, late arrivals, stale or early timers) are ignored without changing it.
/// </summary>
public static class WorkflowDecider
{
    public static Decision Start(TaskPlan plan, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var stages = plan.Spec.EffectiveStages();
        var rolePlans = plan.Roles.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var roles = new List<RoleState>();
        for (var stage = 0; stage < stages.Count; stage++)
        {
            foreach (var name in stages[stage])
            {
                var rolePlan = rolePlans.GetValueOrDefault(name) ?? new RolePlan(name, RetrySchedule.Default, false);
                roles.Add(new RoleState
                {
                    Role = name,
                    Stage = stage,
                    Schedule = rolePlan.Schedule,
                    RequiresApproval = rolePlan.RequiresApproval,
                });
            }
        }

        var state = new TaskState
        {
            Id = plan.Id,
            Spec = plan.Spec,
            CreatedAt = now,
            UpdatedAt = now,
            DeadlineAt = plan.Spec.TtlSeconds is { } ttl ? now.AddSeconds(ttl) : null,
            ApprovalTimeout = plan.ApprovalTimeout,
            StageCount = stages.Count,
            Roles = roles,
            Warnings = plan.Warnings,
            Trace = plan.Trace,
        };

        var change = new Change(state, now);
        if (state.DeadlineAt is { } deadline)
        {
            change.Commands.Add(new ScheduleDeadline(deadline));
        }

        if (plan.Spec.RequiresApproval)
        {
            var gate = NewGate(ApprovalKind.PreRun, state.ApprovalTimeout, now);
            change.TaskGate = gate;
            change.Commands.Add(new AwaitApproval(null, ApprovalKind.PreRun, gate.DeadlineAt));
        }
        else
        {
            change.EnterStage(0);
        }

        return change.Build(version: 0);
    }

    public static Decision Apply(TaskState state, WorkflowEvent workflowEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(workflowEvent);
        if (state.IsTerminal)
        {
            return Absorb(state, workflowEvent);
        }

        if (workflowEvent is ApprovalTimedOut { } timedOut && now < timedOut.DeadlineAt)
        {
            // An early timer (Azure Storage makes a timer message visible in whole seconds): the gate stays open and
            // its timer is armed again for the rest of the wait.
            var gate = timedOut.Role is null ? state.Approval : state.FindRole(timedOut.Role)?.Approval;
            return gate is { IsPending: true } && gate.DeadlineAt == timedOut.DeadlineAt
                ? new Decision(state, [new AwaitApproval(timedOut.Role, gate.Kind, gate.DeadlineAt)], Applied: false)
                : Decision.Ignored(state);
        }

        if (workflowEvent is DeadlineReached)
        {
            if (state.DeadlineAt is not { } deadline)
            {
                // No TTL, no deadline: a stray timer event means nothing.
                return Decision.Ignored(state);
            }

            if (now < deadline)
            {
                // An early timer (clock skew between the timer and the engine's clock) must not expire the task,
                // nor leave it without a deadline: the state stays, the timer is armed again.
                return new Decision(state, [new ScheduleDeadline(deadline)], Applied: false);
            }
        }

        var change = new Change(state, now);
        var applied = workflowEvent switch
        {
            RoleAttemptStarted e => change.AttemptStarted(e),
            RoleAttemptReturned e => change.AttemptReturned(e),
            RoleAttemptFailed e => change.AttemptFailed(e),
            RoleFailedFinally e => change.FailedFinally(e),
            RoleSucceeded e => change.Succeeded(e.Role, e.Attempt, e.Result, needsApproval: false),
            RoleNeedsApproval e => change.Succeeded(e.Role, e.Attempt, e.Result, needsApproval: true),
            RoleProgressReported e => change.ProgressReported(e),
            ApprovalDecided e => change.Decide(e),
            CancelRequested e => change.Finish(AgentTaskStatus.Canceled, string.IsNullOrWhiteSpace(e.Reason) ? "canceled" : e.Reason, e.By),
            DeadlineReached => change.Finish(AgentTaskStatus.Expired, "the task deadline (ttlSeconds) passed", null),
            ApprovalTimedOut e => change.ApprovalTimedOut(e),
            RoleCircuitHeld e => change.CircuitHeld(e),
            RoleCircuitReleased e => change.CircuitReleased(e),
            _ => false,
        };

        return applied ? change.Build(state.Version + 1) : Decision.Ignored(state);
    }

    /// <summary>The results of every succeeded role in stages before <paramref name="stage"/>.</summary>
    public static IReadOnlyList<StageInput> InputsFor(TaskState state, int stage)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Roles
            .Where(r => r.Stage < stage && r.Status == RoleStatus.Succeeded)
            .Select(r => new StageInput(r.Role, r.Stage, r.Result?.Summary, r.Result?.ResultRef))
            .ToList();
    }

    private static Decision Absorb(TaskState state, WorkflowEvent workflowEvent)
    {
        // A result of an attempt canceled with its task is kept only as a discarded artifact. That is the
        // attempt in flight, or, for a role canceled while pending or retrying, the next one: an engine may
        // have started it just before the cancel, without its start event reaching the decider.
        var (role, attempt, result) = workflowEvent switch
        {
            RoleSucceeded e => (e.Role, e.Attempt, e.Result),
            RoleNeedsApproval e => (e.Role, e.Attempt, e.Result),
            _ => (null, 0, null),
        };
        var roleState = role is null ? null : state.FindRole(role);
        if (roleState is not null && result is not null && roleState.Status != RoleStatus.Succeeded
            && (attempt == roleState.Attempt || (roleState.Status == RoleStatus.Canceled && attempt == roleState.Attempt + 1)))
        {
            return new Decision(state, [new DiscardResult(roleState.Role, attempt, result)], Applied: false);
        }

        return Decision.Ignored(state);
    }

    private static ApprovalGate NewGate(ApprovalKind kind, TimeSpan timeout, DateTimeOffset now) =>
        new() { Kind = kind, RequestedAt = now, DeadlineAt = now + timeout };

    /// <summary>One application of an event: a working copy of the state plus the commands it yields.</summary>
    private sealed class Change
    {
        private readonly TaskState _original;
        private readonly DateTimeOffset _now;
        private readonly RoleState[] _roles;

        public Change(TaskState original, DateTimeOffset now)
        {
            _original = original;
            _now = now;
            _roles = [.. original.Roles];
            TaskGate = original.Approval;
            CurrentStage = original.CurrentStage;
        }

        public List<WorkflowCommand> Commands { get; } = [];

        public ApprovalGate? TaskGate { get; set; }

        private int CurrentStage { get; set; }

        private TaskOutcome? Outcome { get; set; }

        public Decision Build(long version)
        {
            var status = Outcome?.State ?? DeriveStatus();
            var state = _original with
            {
                Status = status,
                UpdatedAt = _now,
                CurrentStage = CurrentStage,
                Roles = _roles,
                Approval = TaskGate,
                Outcome = Outcome,
                Version = version,
            };
            return new Decision(state, Commands, Applied: true);
        }

        public bool AttemptStarted(RoleAttemptStarted e)
        {
            if (Find(e.Role) is not { } index)
            {
                return false;
            }

            var role = _roles[index];
            if (role.Status is not (RoleStatus.Pending or RoleStatus.Retrying) || e.Attempt != role.Attempt + 1 || !InPlay(role))
            {
                return false;
            }

            _roles[index] = role with
            {
                Status = RoleStatus.Running,
                Attempt = e.Attempt,
                NextAttemptAt = null,
                StartedAt = role.StartedAt ?? _now,
                Progress = null,
                ProgressMessage = null,
                CircuitHeldUntil = null,
            };
            return true;
        }

        /// <summary>A leased attempt handed back unfinished waits again, uncounted, under the same number.</summary>
        public bool AttemptReturned(RoleAttemptReturned e)
        {
            if (Find(e.Role) is not { } index)
            {
                return false;
            }

            var role = _roles[index];
            if (role.Status != RoleStatus.Running || e.Attempt != role.Attempt || !InPlay(role))
            {
                return false;
            }

            _roles[index] = TakenBack(role, role.Failures.Count > 0 ? _now : null);
            return true;
        }

        /// <summary>
        /// A running attempt that did not happen after all (handed back, or held by the breaker): the role waits again
        /// as before it started, the attempt uncounted, its progress gone.
        /// </summary>
        private static RoleState TakenBack(RoleState role, DateTimeOffset? nextAttemptAt)
        {
            var before = role.Attempt - 1;
            return role with
            {
                Status = role.Failures.Count > 0 ? RoleStatus.Retrying : RoleStatus.Pending,
                Attempt = before,
                StartedAt = before == 0 ? null : role.StartedAt,
                NextAttemptAt = nextAttemptAt,
                Progress = null,
                ProgressMessage = null,
            };
        }

        /// <summary>
        /// The breaker holds the role's next attempt: a waiting attempt is marked held; one the engine announced
        /// already is taken back (not counted) and asked for again when the hold ends.
        /// </summary>
        public bool CircuitHeld(RoleCircuitHeld e)
        {
            if (Find(e.Role) is not { } index)
            {
                return false;
            }

            var role = _roles[index];
            if (!InPlay(role))
            {
                return false;
            }

            if (role.Status is RoleStatus.Pending or RoleStatus.Retrying && e.Attempt == role.Attempt + 1)
            {
                if (role.CircuitHeldUntil == e.Until)
                {
                    return false;
                }

                _roles[index] = role with { CircuitHeldUntil = e.Until };
                return true;
            }

            if (role.Status == RoleStatus.Running && e.Attempt == role.Attempt)
            {
                _roles[index] = TakenBack(role, e.Until) with { CircuitHeldUntil = e.Until };
                Commands.Add(RunCommand(_roles[index], e.Attempt, e.Until));
                return true;
            }

            return false;
        }

        public bool CircuitReleased(RoleCircuitReleased e)
        {
            if (Find(e.Role) is not { } index || _roles[index].CircuitHeldUntil is null || _roles[index].Status.IsTerminal())
            {
                return false;
            }

            _roles[index] = _roles[index] with { CircuitHeldUntil = null };
            return true;
        }

        public bool AttemptFailed(RoleAttemptFailed e)
        {
            if (FindCurrentAttempt(e.Role, e.Attempt) is not { } index)
            {
                return false;
            }

            var role = _roles[index];
            var failure = new AttemptFailure(e.Attempt, _now, e.Kind, e.Message);
            role = role with
            {
                Attempt = e.Attempt,
                StartedAt = role.StartedAt ?? _now,
                LastError = e.Message,
                Failures = [.. role.Failures, failure],
                Progress = null,
                ProgressMessage = null,
                CircuitHeldUntil = null,
            };

            if (e.Kind == FailureKind.Permanent)
            {
                DeadLetter(index, role, $"permanent failure on attempt {e.Attempt}: {e.Message}");
            }
            else if (!role.Schedule.AllowsAttemptAfter(e.Attempt))
            {
                DeadLetter(index, role, $"gave up after {e.Attempt} attempts; last error: {e.Message}");
            }
            else
            {
                var next = _now + role.Schedule.DelayAfter(e.Attempt);
                _roles[index] = role with { Status = RoleStatus.Retrying, NextAttemptAt = next };
                Commands.Add(RunCommand(_roles[index], e.Attempt + 1, next));
            }

            return true;
        }

        public bool FailedFinally(RoleFailedFinally e)
        {
            if (Find(e.Role) is not { } index)
            {
                return false;
            }

            var role = _roles[index];
            if (role.Status is not (RoleStatus.Pending or RoleStatus.Running or RoleStatus.Retrying) || !InPlay(role))
            {
                return false;
            }

            var attempts = Math.Clamp(Math.Max(e.Attempts, role.Attempt), 1, role.MaxAttempts);
            var failures = role.Failures.Concat(e.Failures).ToList();
            var last = failures.Count > 0 ? failures[^1].Message : "no error message";
            role = role with
            {
                Attempt = attempts,
                StartedAt = role.StartedAt ?? _now,
                LastError = last,
                Failures = failures,
            };
            var permanent = failures.Count > 0 && failures[^1].Kind == FailureKind.Permanent;
            DeadLetter(index, role, permanent
                ? $"permanent failure on attempt {attempts}: {last}"
                : $"gave up after {attempts} attempts; last error: {last}");
            return true;
        }

        public bool Succeeded(string roleName, int attempt, RoleResult result, bool needsApproval)
        {
            if (FindCurrentAttempt(roleName, attempt) is not { } index)
            {
                return false;
            }

            var role = _roles[index] with
            {
                Attempt = attempt,
                StartedAt = _roles[index].StartedAt ?? _now,
                Result = result,
                NextAttemptAt = null,
                Progress = null,
                ProgressMessage = null,
                CircuitHeldUntil = null,
            };

            if (needsApproval)
            {
                var gate = NewGate(ApprovalKind.Result, _original.ApprovalTimeout, _now);
                _roles[index] = role with { Status = RoleStatus.NeedsApproval, Approval = gate };
                Commands.Add(new AwaitApproval(role.Role, ApprovalKind.Result, gate.DeadlineAt));
                return true;
            }

            _roles[index] = role with { Status = RoleStatus.Succeeded, FinishedAt = _now };
            SettleStage();
            return true;
        }

        public bool ProgressReported(RoleProgressReported e)
        {
            if (Find(e.Role) is not { } index)
            {
                return false;
            }

            var role = _roles[index];
            if (role.Status != RoleStatus.Running || role.Attempt != e.Attempt)
            {
                return false;
            }

            var progress = e.Progress is { } p && double.IsFinite(p) ? Math.Clamp(p, 0, 1) : (double?)null;
            _roles[index] = role with { Progress = progress, ProgressMessage = e.Message };
            return true;
        }

        public bool Decide(ApprovalDecided e)
        {
            if (TaskGate is { IsPending: true } taskGate)
            {
                if (e.Role is not null)
                {
                    return false;
                }

                TaskGate = taskGate with { Decision = e.Decision, By = e.By, Note = e.Note, DecidedAt = _now };
                if (e.Decision == ApprovalDecision.Approve)
                {
                    EnterStage(0);
                    return true;
                }

                return Finish(AgentTaskStatus.Rejected, Reason("the task was rejected", e.Note), e.By);
            }

            var targets = Enumerable.Range(0, _roles.Length)
                .Where(i => _roles[i].Status.AwaitsDecision() && (e.Role is null || _roles[i].Role == e.Role))
                .ToList();
            if (targets.Count == 0)
            {
                return false;
            }

            if (e.Decision == ApprovalDecision.Reject && e.Role is null)
            {
                foreach (var i in targets)
                {
                    _roles[i] = Decided(_roles[i], e) with { Status = RoleStatus.Rejected, FinishedAt = _now };
                }

                return Finish(AgentTaskStatus.Rejected, Reason("the task was rejected", e.Note), e.By);
            }

            foreach (var i in targets)
            {
                var role = Decided(_roles[i], e);
                if (e.Decision == ApprovalDecision.Reject)
                {
                    _roles[i] = role with { Status = RoleStatus.Rejected, FinishedAt = _now };
                }
                else if (role.Status == RoleStatus.AwaitingApproval)
                {
                    _roles[i] = role with { Status = RoleStatus.Pending };
                    Commands.Add(RunCommand(_roles[i], 1, null));
                }
                else
                {
                    _roles[i] = role with { Status = RoleStatus.Succeeded, FinishedAt = _now };
                }
            }

            SettleStage();
            return true;
        }

        public bool ApprovalTimedOut(ApprovalTimedOut e)
        {
            ApprovalGate? gate;
            if (e.Role is null)
            {
                gate = TaskGate;
            }
            else
            {
                gate = Find(e.Role) is { } index && _roles[index].Status.AwaitsDecision() ? _roles[index].Approval : null;
            }

            if (gate is not { IsPending: true } || gate.DeadlineAt != e.DeadlineAt)
            {
                return false;
            }

            var what = e.Role is null ? "the task" : $"role '{e.Role}'";
            return Finish(AgentTaskStatus.Expired, $"no approval decision for {what} within {_original.ApprovalTimeout:c}", null);
        }

        /// <summary>Ends the task: settles every open role and asks for the result and the clean-up.</summary>
        public bool Finish(AgentTaskStatus status, string reason, string? by)
        {
            for (var i = 0; i < _roles.Length; i++)
            {
                var role = _roles[i];
                if (role.Status.IsTerminal())
                {
                    continue;
                }

                if (role.Status == RoleStatus.Running)
                {
                    Commands.Add(new CancelRoleAttempt(role.Role, role.Attempt));
                }

                // Roles whose stage never began (later stages, or all of them behind an undecided task gate) are skipped.
                var neverEntered = role.Stage > CurrentStage || !InPlay(role);
                _roles[i] = role with
                {
                    Status = neverEntered ? RoleStatus.Skipped : RoleStatus.Canceled,
                    NextAttemptAt = null,
                    FinishedAt = _now,
                    CircuitHeldUntil = null,
                };
            }

            Outcome = new TaskOutcome
            {
                State = status,
                Reason = reason,
                By = by,
                At = _now,
                ResultRef = ArtifactLayout.TaskResult(_original.Id),
            };
            Commands.Add(new WriteTaskResult(status));
            Commands.Add(new FinishTask(status));
            return true;
        }

        public void EnterStage(int stage)
        {
            CurrentStage = stage;
            for (var i = 0; i < _roles.Length; i++)
            {
                var role = _roles[i];
                if (role.Stage != stage)
                {
                    continue;
                }

                if (role.RequiresApproval)
                {
                    var gate = NewGate(ApprovalKind.PreRun, _original.ApprovalTimeout, _now);
                    _roles[i] = role with { Status = RoleStatus.AwaitingApproval, Approval = gate };
                    Commands.Add(new AwaitApproval(role.Role, ApprovalKind.PreRun, gate.DeadlineAt));
                }
                else
                {
                    _roles[i] = role with { Status = RoleStatus.Pending };
                    Commands.Add(RunCommand(_roles[i], 1, null));
                }
            }
        }

        /// <summary>When every role of the current stage has settled, end the task or start the next stage.</summary>
        private void SettleStage()
        {
            var stageRoles = _roles.Where(r => r.Stage == CurrentStage).ToList();
            if (stageRoles.Any(r => !r.Status.IsTerminal()))
            {
                return;
            }

            var deadLettered = stageRoles.Where(r => r.Status == RoleStatus.DeadLettered).Select(r => r.Role).ToList();
            var rejected = stageRoles.Where(r => r.Status == RoleStatus.Rejected).Select(r => r.Role).ToList();
            if (deadLettered.Count > 0)
            {
                Finish(AgentTaskStatus.Failed, $"dead-lettered: {string.Join(", ", deadLettered)}", null);
            }
            else if (rejected.Count > 0)
            {
                var by = stageRoles.First(r => r.Status == RoleStatus.Rejected).Approval?.By;
                Finish(AgentTaskStatus.Rejected, $"rejected: {string.Join(", ", rejected)}", by);
            }
            else if (CurrentStage + 1 >= _original.StageCount)
            {
                var count = _roles.Length;
                Finish(AgentTaskStatus.Completed, count == 1 ? "1 role succeeded" : $"{count} roles succeeded", null);
            }
            else
            {
                EnterStage(CurrentStage + 1);
            }
        }

        private void DeadLetter(int index, RoleState role, string reason)
        {
            var id = ArtifactLayout.DeadLetterId(_original.Id, role.Role);
            _roles[index] = role with
            {
                Status = RoleStatus.DeadLettered,
                NextAttemptAt = null,
                FinishedAt = _now,
                DeadLetterId = id,
                CircuitHeldUntil = null,
            };
            Commands.Add(new WriteDeadLetter(id, role.Role, role.Attempt, role.Failures, reason));
            SettleStage();
        }

        private RunRoleAttempt RunCommand(RoleState role, int attempt, DateTimeOffset? dueAt) => new(
            role.Role,
            role.Stage,
            attempt,
            dueAt,
            _original.Spec.Priority,
            role.Schedule,
            InputsFor(_original with { Roles = _roles }, role.Stage));

        private RoleState Decided(RoleState role, ApprovalDecided e) => role with
        {
            Approval = role.Approval is { } gate
                ? gate with { Decision = e.Decision, By = e.By, Note = e.Note, DecidedAt = _now }
                : null,
        };

        /// <summary>The role, if it is in the current stage and <paramref name="attempt"/> is the one in flight (or about to start).</summary>
        private int? FindCurrentAttempt(string roleName, int attempt)
        {
            if (Find(roleName) is not { } index)
            {
                return null;
            }

            var role = _roles[index];
            if (!InPlay(role))
            {
                return null;
            }

            var inFlight = role.Status == RoleStatus.Running && attempt == role.Attempt;
            // An engine may report an outcome without a separate start event.
            var unannounced = role.Status is RoleStatus.Pending or RoleStatus.Retrying && attempt == role.Attempt + 1;
            return inFlight || unannounced ? index : null;
        }

        /// <summary>The role's stage has begun: it is the current one and no task gate holds it back.</summary>
        private bool InPlay(RoleState role) => WorkflowRules.InPlay(role, CurrentStage, TaskGate);

        private int? Find(string roleName)
        {
            for (var i = 0; i < _roles.Length; i++)
            {
                if (_roles[i].Role == roleName)
                {
                    return i;
                }
            }

            return null;
        }

        private AgentTaskStatus DeriveStatus()
        {
            if (TaskGate is { IsPending: true } || _roles.Any(r => r.Status == RoleStatus.AwaitingApproval))
            {
                return AgentTaskStatus.AwaitingApproval;
            }

            if (_roles.Any(r => r.Status == RoleStatus.NeedsApproval))
            {
                return AgentTaskStatus.NeedsApproval;
            }

            return _roles.Any(r => r.Attempt > 0) ? AgentTaskStatus.Running : AgentTaskStatus.Accepted;
        }

        private static string Reason(string what, string? note) =>
            string.IsNullOrWhiteSpace(note) ? what : $"{what}: {note}";
    }
}
