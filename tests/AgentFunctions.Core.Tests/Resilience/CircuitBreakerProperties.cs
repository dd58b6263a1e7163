using AgentFunctions.Core.Resilience;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AgentFunctions.Core.Tests.Resilience;

/// <summary>Random interleavings of admissions and outcomes against the rules the breaker promises.</summary>
public class CircuitBreakerProperties
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly CircuitBreakerOptions Options = new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 3,
        SamplingDuration = TimeSpan.FromSeconds(20),
        BreakDuration = TimeSpan.FromSeconds(5),
    };

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    [Property(Arbitrary = [typeof(Steps)], MaxTest = 300)]
    public void At_most_one_probe_runs_at_a_time(Step[] steps)
    {
        var state = CircuitState.Initial;
        var now = T0;
        var probesInFlight = new List<DateTimeOffset>();
        foreach (var step in steps)
        {
            now = now.AddMilliseconds(step.Millis);
            probesInFlight.RemoveAll(started => now - started >= ProbeTimeout);
            if (step.Admit)
            {
                var admission = CircuitBreaker.Admit(state, Options, now, ProbeTimeout);
                state = admission.State;
                if (admission.Verdict == CircuitVerdict.Probe)
                {
                    Assert.Empty(probesInFlight);
                    probesInFlight.Add(now);
                }
            }
            else
            {
                var probe = probesInFlight.Count > 0 && step.AsProbe;
                var change = CircuitBreaker.Record(state, Options, now, step.Outcome, probe);
                state = change.State;
                if (probe || change.Transition != CircuitTransition.None || state.Status != CircuitStatus.HalfOpen)
                {
                    probesInFlight.Clear();
                }
            }
        }
    }

    [Property(Arbitrary = [typeof(Steps)], MaxTest = 300)]
    public void An_open_breaker_admits_nothing_before_its_break_ends(Step[] steps)
    {
        var state = CircuitState.Initial;
        var now = T0;
        foreach (var step in steps)
        {
            now = now.AddMilliseconds(step.Millis);
            if (step.Admit)
            {
                var before = state;
                var admission = CircuitBreaker.Admit(state, Options, now, ProbeTimeout);
                if (before is { Status: CircuitStatus.Open, OpenUntil: { } until } && now < until)
                {
                    Assert.Equal(CircuitVerdict.Held, admission.Verdict);
                    Assert.Equal(until, admission.HeldUntil);
                }

                state = admission.State;
            }
            else
            {
                state = CircuitBreaker.Record(state, Options, now, step.Outcome, step.AsProbe).State;
            }
        }
    }

    [Property(Arbitrary = [typeof(Steps)], MaxTest = 300)]
    public void Only_counted_failures_open_a_closed_breaker(Step[] steps)
    {
        var state = CircuitState.Initial;
        var now = T0;
        foreach (var step in steps.Where(s => !s.Admit))
        {
            now = now.AddMilliseconds(step.Millis);
            var change = CircuitBreaker.Record(state, Options, now, step.Outcome, probe: false);
            if (change.Transition == CircuitTransition.Opened)
            {
                Assert.Equal(CircuitOutcome.Failure, step.Outcome);
                var window = CircuitBreaker.Prune(change.State.Window, Options, now);
                var failures = window.Sum(b => b.Failures);
                var total = failures + window.Sum(b => b.Successes);
                Assert.True(total >= Options.MinimumThroughput && failures >= Options.FailureRatio * total, $"{failures}/{total}");
            }

            state = change.State;
        }
    }

    public sealed record Step(bool Admit, CircuitOutcome Outcome, bool AsProbe, int Millis);

    public static class Steps
    {
        public static Arbitrary<Step[]> Sequence() => Arb.From(
            from count in Gen.Choose(0, 80)
            from steps in Gen.ArrayOf(StepGen(), count)
            select steps);

        private static Gen<Step> StepGen() =>
            from admit in Gen.Elements(true, false)
            from outcome in Gen.Frequency((3, Gen.Constant(CircuitOutcome.Failure)), (2, Gen.Constant(CircuitOutcome.Success)), (1, Gen.Constant(CircuitOutcome.Ignored)))
            from probe in Gen.Elements(true, false)
            from millis in Gen.Frequency((5, Gen.Choose(0, 500)), (1, Gen.Choose(1000, 8000)))
            select new Step(admit, outcome, probe, millis);
    }
}
