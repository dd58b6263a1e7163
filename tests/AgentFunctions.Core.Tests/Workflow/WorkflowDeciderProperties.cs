using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;
using AgentFunctions.Core.Workflow.Events;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AgentFunctions.Core.Tests.Workflow;

/// <summary>Random event sequences against the rules that must hold whatever engines deliver.</summary>
public class WorkflowDeciderProperties
{
    private static readonly string[] RoleNames = ["a", "b", "c"];

    [Property(Arbitrary = [typeof(Scenarios)], MaxTest = 400)]
    public void No_role_ever_exceeds_its_attempts(Scenario scenario)
    {
        foreach (var state in scenario.Replay())
        {
            Assert.All(state.Roles, role =>
            {
                Assert.InRange(role.Attempt, 0, role.MaxAttempts);
                Assert.True(role.Failures.Count <= role.MaxAttempts, $"{role.Role} has {role.Failures.Count} failures");
            });
        }
    }

    [Property(Arbitrary = [typeof(Scenarios)], MaxTest = 400)]
    public void A_circuit_hold_never_counts_an_attempt_fails_one_or_ends_a_task(Scenario scenario)
    {
        var state = WorkflowDecider.Start(scenario.Plan, Plans.T0).State;
        foreach (var step in scenario.Steps)
        {
            var workflowEvent = step.ToEvent(state);
            var next = WorkflowDecider.Apply(state, workflowEvent, step.At).State;
            if (workflowEvent is RoleCircuitHeld or RoleCircuitReleased)
            {
                Assert.Equal(state.Status == AgentTaskStatus.Running && next.Status == AgentTaskStatus.Accepted ? AgentTaskStatus.Accepted : state.Status, next.Status);
                for (var i = 0; i < state.Roles.Count; i++)
                {
                    Assert.True(next.Roles[i].Attempt <= state.Roles[i].Attempt, $"{next.Roles[i].Role}: {state.Roles[i].Attempt} -> {next.Roles[i].Attempt}");
                    Assert.Equal(state.Roles[i].Failures.Count, next.Roles[i].Failures.Count);
                    Assert.Equal(state.Roles[i].Status.IsTerminal(), next.Roles[i].Status.IsTerminal());
                }
            }

            state = next;
        }
    }

    [Property(Arbitrary = [typeof(Scenarios)], MaxTest = 400)]
    public void Terminal_states_absorb_every_later_event(Scenario scenario)
    {
        string? terminalJson = null;
        foreach (var state in scenario.Replay())
        {
            if (terminalJson is not null)
            {
                Assert.Equal(terminalJson, JsonSerializer.Serialize(state, CoreJson.Options));
            }
            else if (state.IsTerminal)
            {
                terminalJson = JsonSerializer.Serialize(state, CoreJson.Options);
            }
        }
    }

    [Property(Arbitrary = [typeof(Scenarios)], MaxTest = 400)]
    public void Every_task_ends_in_exactly_one_terminal_state_once_its_roles_settle(Scenario scenario)
    {
        var state = scenario.Replay().Last();
        var now = scenario.End;

        // Settle whatever is left: decide every gate, let every attempt succeed.
        for (var guard = 0; guard < 200 && !state.IsTerminal; guard++)
        {
            now = now.AddSeconds(1);
            var waiting = state.Approval is { IsPending: true } || state.Roles.Any(r => r.Status.AwaitsDecision());
            WorkflowEvent next = waiting
                ? new ApprovalDecided(ApprovalDecision.Approve, "settler", null, null)
                : state.Roles.First(r => r.Stage == state.CurrentStage && !r.Status.IsTerminal()) switch
                {
                    { Status: RoleStatus.Running } r => new RoleSucceeded(r.Role, r.Attempt, new RoleResult { Summary = "ok" }),
                    var r => new RoleAttemptStarted(r.Role, r.Attempt + 1),
                };
            state = WorkflowDecider.Apply(state, next, now).State;
        }

        Assert.True(state.IsTerminal);
        Assert.All(state.Roles, r => Assert.True(r.Status.IsTerminal(), $"{r.Role} is {r.Status}"));
        Assert.NotNull(state.Outcome);
        Assert.Equal(state.Status, state.Outcome.State);
    }

    [Property(Arbitrary = [typeof(Scenarios)], MaxTest = 400)]
    public void A_task_whose_roles_all_settled_has_ended(Scenario scenario)
    {
        foreach (var state in scenario.Replay())
        {
            if (state.Roles.All(r => r.Status.IsTerminal()))
            {
                Assert.True(state.IsTerminal);
            }

            Assert.Equal(state.IsTerminal, state.Outcome is not null);
        }
    }

    [Property(Arbitrary = [typeof(Scenarios)], MaxTest = 400)]
    public void Only_a_deadline_event_at_or_after_the_deadline_expires_a_task(Scenario scenario)
    {
        var state = WorkflowDecider.Start(scenario.Plan, Plans.T0).State;
        foreach (var step in scenario.Steps)
        {
            var workflowEvent = step.ToEvent(state);
            var decision = WorkflowDecider.Apply(state, workflowEvent, step.At);
            if (workflowEvent is DeadlineReached && !state.IsTerminal)
            {
                if (state.DeadlineAt is { } deadline && step.At >= deadline)
                {
                    Assert.Equal(AgentTaskStatus.Expired, decision.State.Status);
                }
                else
                {
                    Assert.False(decision.Applied);
                    Assert.Same(state, decision.State);
                    Assert.All(decision.Commands, c => Assert.Equal(new ScheduleDeadline(state.DeadlineAt!.Value), c));
                }
            }

            state = decision.State;
        }
    }

    [Property(Arbitrary = [typeof(Scenarios)], MaxTest = 300)]
    public void Json_round_trip_preserves_state_and_behaviour(Scenario scenario)
    {
        var states = scenario.Replay().ToList();
        for (var i = 0; i < states.Count; i++)
        {
            var json = JsonSerializer.Serialize(states[i], CoreJson.Options);
            var back = JsonSerializer.Deserialize<TaskState>(json, CoreJson.Options)!;
            Assert.Equal(json, JsonSerializer.Serialize(back, CoreJson.Options));

            if (i < scenario.Steps.Count)
            {
                var step = scenario.Steps[i];
                var e = step.ToEvent(states[i]);
                var fromOriginal = WorkflowDecider.Apply(states[i], e, step.At);
                var fromCopy = WorkflowDecider.Apply(back, e, step.At);
                Assert.Equal(
                    JsonSerializer.Serialize(fromOriginal.State, CoreJson.Options),
                    JsonSerializer.Serialize(fromCopy.State, CoreJson.Options));
                Assert.Equal(fromOriginal.Commands.Count, fromCopy.Commands.Count);
            }
        }
    }

    /// <summary>A plan and a sequence of steps, each turned into an event against the state it meets.</summary>
    public sealed record Scenario(TaskPlan Plan, IReadOnlyList<Step> Steps)
    {
        public DateTimeOffset End => Steps.Count == 0 ? Plans.T0 : Steps[^1].At;

        /// <summary>The start state and the state after every step.</summary>
        public IEnumerable<TaskState> Replay()
        {
            var state = WorkflowDecider.Start(Plan, Plans.T0).State;
            yield return state;
            foreach (var step in Steps)
            {
                state = WorkflowDecider.Apply(state, step.ToEvent(state), step.At).State;
                yield return state;
            }
        }

        public override string ToString() =>
            $"{string.Join(" | ", Plan.Spec.EffectiveStages().Select(s => string.Join(",", s)))}: {string.Join("; ", Steps)}";
    }

    /// <summary>An abstract action; <see cref="ToEvent"/> aims it at the current state (or deliberately off it).</summary>
    public sealed record Step(int Kind, int Role, int AttemptOffset, bool Flag, DateTimeOffset At)
    {
        public WorkflowEvent ToEvent(TaskState state)
        {
            var role = state.Roles[Role % state.Roles.Count];
            var attempt = Math.Max(0, role.Attempt + AttemptOffset);
            return Kind switch
            {
                0 => new RoleAttemptStarted(role.Role, attempt + 1),
                1 => new RoleAttemptFailed(role.Role, attempt, Flag ? FailureKind.Permanent : FailureKind.Transient, "boom"),
                2 => new RoleSucceeded(role.Role, attempt, new RoleResult { Summary = "done", ResultRef = $"tasks/t/results/{role.Role}.md" }),
                3 => new RoleNeedsApproval(role.Role, attempt, new RoleResult { Summary = "check" }),
                4 => new ApprovalDecided(Flag ? ApprovalDecision.Approve : ApprovalDecision.Reject, "p", null, AttemptOffset == 0 ? null : role.Role),
                5 => new CancelRequested("p", "stop"),
                6 => new DeadlineReached(),
                7 => new ApprovalTimedOut(
                    AttemptOffset == 0 ? null : role.Role,
                    (AttemptOffset == 0 ? state.Approval?.DeadlineAt : role.Approval?.DeadlineAt) ?? At),
                8 => new RoleFailedFinally(role.Role, attempt + 3, [new AttemptFailure(attempt, At, FailureKind.Transient, "gave up")]),
                10 => new RoleCircuitHeld(role.Role, role.Status == RoleStatus.Running && AttemptOffset == 0 ? role.Attempt : attempt + 1, At.AddSeconds(30)),
                11 => new RoleCircuitReleased(role.Role),
                _ => new RoleProgressReported(role.Role, attempt, 0.5, "half"),
            };
        }

        public override string ToString() => $"k{Kind} r{Role} a{AttemptOffset} {(Flag ? "T" : "F")}";
    }

    public static class Scenarios
    {
        public static Arbitrary<Scenario> Scenario()
        {
            var stagesGen = Gen.Elements<string[][]>(
                [["a"]],
                [["a", "b"]],
                [["a", "b", "c"]],
                [["a"], ["b"]],
                [["a", "b"], ["c"]]);
            var planGen =
                from stages in stagesGen
                from taskGate in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
                from gated in Gen.SubListOf(RoleNames)
                from attempts in Gen.Choose(1, 4)
                from ttl in Gen.Elements<int?>(null, 600)
                select Plans.Build(
                    new TaskSpec { Id = "t", Stages = stages, Instructions = "x", RequiresApproval = taskGate, TtlSeconds = ttl },
                    Plans.FastRetry with { MaxAttempts = attempts },
                    gated.ToHashSet());
            var stepGen =
                from kind in Gen.Frequency(
                    (6, Gen.Constant(0)), (4, Gen.Constant(1)), (5, Gen.Constant(2)), (2, Gen.Constant(3)),
                    (3, Gen.Constant(4)), (1, Gen.Constant(5)), (1, Gen.Constant(6)), (1, Gen.Constant(7)),
                    (1, Gen.Constant(8)), (1, Gen.Constant(9)), (2, Gen.Constant(10)), (1, Gen.Constant(11)))
                from role in Gen.Choose(0, 2)
                from offset in Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Constant(-1)), (1, Gen.Constant(1)), (1, Gen.Constant(5)))
                from flag in Gen.Elements(true, true, false)
                from seconds in Gen.Choose(0, 90)
                select (kind, role, offset, flag, seconds);
            var scenarioGen =
                from plan in planGen
                from raw in Gen.ListOf(stepGen)
                select new Scenario(plan, Timeline(raw));
            return Arb.From(scenarioGen);
        }

        private static List<Step> Timeline(IEnumerable<(int Kind, int Role, int Offset, bool Flag, int Seconds)> raw)
        {
            var at = Plans.T0;
            var steps = new List<Step>();
            foreach (var (kind, role, offset, flag, seconds) in raw)
            {
                // A deadline timer mostly fires when due (past the 600 s TTL), sometimes early or for a task without one.
                at = at.AddSeconds(kind == 6 && flag ? 600 + seconds : seconds);
                steps.Add(new Step(kind, role, offset, flag, at));
            }

            return steps;
        }
    }
}
