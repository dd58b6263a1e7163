using AgentFunctions.Core.Resilience;

namespace AgentFunctions.Core.Tests.Resilience;

public class CircuitBreakerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly CircuitBreakerOptions Options = new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 4,
        SamplingDuration = TimeSpan.FromSeconds(60),
        BreakDuration = TimeSpan.FromSeconds(30),
    };

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void The_defaults_are_those_of_the_contract()
    {
        var defaults = CircuitBreakerOptions.Default;

        Assert.Equal((true, 0.5, 10, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30)), (defaults.Enabled, defaults.FailureRatio, defaults.MinimumThroughput, defaults.SamplingDuration, defaults.BreakDuration));
    }

    [Fact]
    public void It_opens_once_enough_attempts_ended_and_half_of_them_failed()
    {
        var state = Record(CircuitState.Initial, T0, CircuitOutcome.Success, CircuitOutcome.Failure, CircuitOutcome.Success);
        Assert.Equal(CircuitStatus.Closed, state.Status);

        var change = CircuitBreaker.Record(state, Options, T0.AddSeconds(1), CircuitOutcome.Failure, probe: false);

        Assert.Equal(CircuitTransition.Opened, change.Transition);
        Assert.Equal(CircuitStatus.Open, change.State.Status);
        Assert.Equal(T0.AddSeconds(31), change.State.OpenUntil);
        Assert.Equal(1, change.State.Openings);
    }

    [Fact]
    public void Failures_below_the_minimum_throughput_never_open_it()
    {
        var state = Record(CircuitState.Initial, T0, CircuitOutcome.Failure, CircuitOutcome.Failure, CircuitOutcome.Failure);

        Assert.Equal(CircuitStatus.Closed, state.Status);
        Assert.Equal(CircuitVerdict.Admitted, CircuitBreaker.Admit(state, Options, T0, ProbeTimeout).Verdict);
    }

    [Fact]
    public void Permanent_failures_do_not_count()
    {
        var state = Record(CircuitState.Initial, T0, CircuitOutcome.Ignored, CircuitOutcome.Ignored, CircuitOutcome.Ignored, CircuitOutcome.Ignored, CircuitOutcome.Ignored);

        Assert.Equal(CircuitStatus.Closed, state.Status);
        Assert.Equal(0, state.Failures + state.Successes);
    }

    [Fact]
    public void Outcomes_older_than_the_sampling_window_are_forgotten()
    {
        var state = Record(CircuitState.Initial, T0, CircuitOutcome.Failure, CircuitOutcome.Failure, CircuitOutcome.Failure);

        var later = CircuitBreaker.Record(state, Options, T0.AddSeconds(90), CircuitOutcome.Failure, probe: false);

        Assert.Equal(CircuitTransition.None, later.Transition);
        Assert.Equal(1, later.State.Failures);
        Assert.Equal(1.0, CircuitBreaker.FailureRatio(later.State, Options, T0.AddSeconds(90)));
        Assert.Null(CircuitBreaker.FailureRatio(later.State, Options, T0.AddSeconds(200)));
    }

    [Fact]
    public void An_open_breaker_holds_attempts_until_the_break_ends_then_lets_one_probe_through()
    {
        var open = Opened();

        var held = CircuitBreaker.Admit(open, Options, T0.AddSeconds(10), ProbeTimeout);
        var probe = CircuitBreaker.Admit(open, Options, T0.AddSeconds(31), ProbeTimeout);
        var second = CircuitBreaker.Admit(probe.State, Options, T0.AddSeconds(32), ProbeTimeout);

        Assert.Equal((CircuitVerdict.Held, T0.AddSeconds(30)), (held.Verdict, held.HeldUntil));
        Assert.Equal(CircuitVerdict.Probe, probe.Verdict);
        Assert.Equal(CircuitStatus.HalfOpen, probe.State.Status);
        Assert.Equal(CircuitVerdict.Held, second.Verdict);
        Assert.Equal(T0.AddSeconds(62), second.HeldUntil); // asked again a break later
    }

    [Fact]
    public void A_successful_probe_closes_the_breaker_and_empties_its_window()
    {
        var probing = CircuitBreaker.Admit(Opened(), Options, T0.AddSeconds(31), ProbeTimeout).State;

        var change = CircuitBreaker.Record(probing, Options, T0.AddSeconds(33), CircuitOutcome.Success, probe: true);

        Assert.Equal(CircuitTransition.Closed, change.Transition);
        Assert.Equal(CircuitStatus.Closed, change.State.Status);
        Assert.Empty(change.State.Window);
        Assert.Equal(CircuitVerdict.Admitted, CircuitBreaker.Admit(change.State, Options, T0.AddSeconds(33), ProbeTimeout).Verdict);
    }

    [Fact]
    public void A_failed_probe_opens_it_for_another_break()
    {
        var probing = CircuitBreaker.Admit(Opened(), Options, T0.AddSeconds(31), ProbeTimeout).State;

        var change = CircuitBreaker.Record(probing, Options, T0.AddSeconds(35), CircuitOutcome.Failure, probe: true);

        Assert.Equal(CircuitTransition.Reopened, change.Transition);
        Assert.Equal(T0.AddSeconds(65), change.State.OpenUntil);
        Assert.Equal(2, change.State.Openings);
    }

    [Fact]
    public void A_failure_of_an_attempt_let_through_before_the_break_does_not_reopen_a_half_open_breaker()
    {
        var probing = CircuitBreaker.Admit(Opened(), Options, T0.AddSeconds(31), ProbeTimeout).State;

        var change = CircuitBreaker.Record(probing, Options, T0.AddSeconds(32), CircuitOutcome.Failure, probe: false);

        Assert.Equal(CircuitTransition.None, change.Transition);
        Assert.Equal(CircuitStatus.HalfOpen, change.State.Status);
    }

    [Fact]
    public void A_probe_that_ended_permanently_or_was_given_back_frees_the_slot_for_the_next_attempt()
    {
        var probing = CircuitBreaker.Admit(Opened(), Options, T0.AddSeconds(31), ProbeTimeout).State;

        var permanent = CircuitBreaker.Record(probing, Options, T0.AddSeconds(32), CircuitOutcome.Ignored, probe: true).State;
        var released = CircuitBreaker.ReleaseProbe(probing);

        Assert.Equal(CircuitVerdict.Probe, CircuitBreaker.Admit(permanent, Options, T0.AddSeconds(33), ProbeTimeout).Verdict);
        Assert.Equal(CircuitVerdict.Probe, CircuitBreaker.Admit(released, Options, T0.AddSeconds(33), ProbeTimeout).Verdict);
    }

    [Fact]
    public void A_probe_never_heard_of_again_is_replaced_after_the_probe_timeout()
    {
        var probing = CircuitBreaker.Admit(Opened(), Options, T0.AddSeconds(31), ProbeTimeout).State;

        Assert.Equal(CircuitVerdict.Held, CircuitBreaker.Admit(probing, Options, T0.AddSeconds(31) + ProbeTimeout - TimeSpan.FromSeconds(1), ProbeTimeout).Verdict);
        Assert.Equal(CircuitVerdict.Probe, CircuitBreaker.Admit(probing, Options, T0.AddSeconds(31) + ProbeTimeout, ProbeTimeout).Verdict);
    }

    [Fact]
    public void A_restart_frees_the_probe_slot_but_keeps_the_break()
    {
        var probing = CircuitBreaker.Admit(Opened(), Options, T0.AddSeconds(31), ProbeTimeout).State;

        Assert.Null(CircuitBreaker.AfterRestart(probing).ProbeStartedAt);
        Assert.Equal(Opened().OpenUntil, CircuitBreaker.AfterRestart(Opened()).OpenUntil);
    }

    [Fact]
    public void A_disabled_breaker_admits_everything_and_only_counts()
    {
        var disabled = Options with { Enabled = false };
        var state = CircuitState.Initial;
        for (var i = 0; i < 20; i++)
        {
            state = CircuitBreaker.Record(state, disabled, T0.AddSeconds(i), CircuitOutcome.Failure, probe: false).State;
        }

        Assert.Equal(CircuitStatus.Closed, state.Status);
        Assert.Equal(20, state.Failures);
        Assert.Equal(CircuitVerdict.Admitted, CircuitBreaker.Admit(state, disabled, T0.AddSeconds(21), ProbeTimeout).Verdict);
    }

    private static CircuitState Opened() =>
        Record(CircuitState.Initial, T0, CircuitOutcome.Failure, CircuitOutcome.Failure, CircuitOutcome.Failure, CircuitOutcome.Failure) is { Status: CircuitStatus.Open } open
            ? open
            : throw new InvalidOperationException("did not open");

    private static CircuitState Record(CircuitState state, DateTimeOffset at, params CircuitOutcome[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            state = CircuitBreaker.Record(state, Options, at, outcome, probe: false).State;
        }

        return state;
    }
}
