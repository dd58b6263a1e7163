using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Tests.Retries;

public class RetryScheduleTests
{
    [Fact]
    public void Defaults_are_five_attempts_from_two_seconds_doubling_up_to_five_minutes()
    {
        var schedule = new RetrySchedule();

        Assert.Equal(5, schedule.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.FirstDelay);
        Assert.Equal(2.0, schedule.BackoffCoefficient);
        Assert.Equal(TimeSpan.FromMinutes(5), schedule.MaxDelay);
        Assert.Equal(schedule, RetrySchedule.Default);
        Assert.Equal(10, RetrySchedule.AttemptsCap);
    }

    [Fact]
    public void Default_schedule_waits_2_4_8_16_seconds_and_allows_no_sixth_attempt()
    {
        var schedule = RetrySchedule.Default;

        Assert.Equal([2, 4, 8, 16], Enumerable.Range(1, 4).Select(n => schedule.DelayAfter(n).TotalSeconds));
        Assert.True(schedule.AllowsAttemptAfter(4));
        Assert.False(schedule.AllowsAttemptAfter(5));
    }

    [Fact]
    public void Delay_stays_at_the_cap_for_attempts_whose_power_overflows()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), RetrySchedule.Default.DelayAfter(5000));
    }

    [Fact]
    public void No_override_keeps_the_role_schedule()
    {
        Assert.Same(RetrySchedule.Default, RetrySchedule.Default.With(null));
        Assert.Equal(RetrySchedule.Default, RetrySchedule.Default.With(new TaskRetryOverride()));
    }

    [Fact]
    public void Override_values_replace_the_role_s_and_the_rest_is_kept()
    {
        var schedule = RetrySchedule.Default.With(new TaskRetryOverride { MaxAttempts = 2, BackoffCoefficient = 3 });

        Assert.Equal(RetrySchedule.Default with { MaxAttempts = 2, BackoffCoefficient = 3 }, schedule);
    }

    [Fact]
    public void Override_max_delay_below_the_role_s_first_delay_shortens_the_first_wait_too()
    {
        var role = RetrySchedule.Default with { FirstDelay = TimeSpan.FromSeconds(10) };

        var schedule = role.With(new TaskRetryOverride { MaxDelay = TimeSpan.FromSeconds(4) });

        Assert.Equal(TimeSpan.FromSeconds(4), schedule.FirstDelay);
        Assert.Equal(TimeSpan.FromSeconds(4), schedule.MaxDelay);
        Assert.Equal([4, 4, 4], Enumerable.Range(1, 3).Select(n => schedule.DelayAfter(n).TotalSeconds));
    }
}
