using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Roles;

namespace AgentFunctions.Core.Tests.Resilience;

public class ScalingAndHealthTests
{
    [Theory]
    [InlineData(0, 0, 0.0, 10.0, 300, 0)] // idle
    [InlineData(300, 0, 0.0, 10.0, 300, 10)] // 300 queued x 10 s in 300 s: 10 workers
    [InlineData(0, 0, 0.5, 10.0, 300, 5)] // 0.5 per second x 10 s each: 5 busy workers just to keep up
    [InlineData(150, 30, 0.25, 4.0, 60, 13)] // (180/60 + 0.25) x 4 = 13
    [InlineData(1, 0, 0.0, 0.1, 300, 1)] // any work wants at least one worker
    [InlineData(50, 3, 0.0, null, 300, 3)] // no attempt time seen yet: the workers busy now
    [InlineData(50, 0, 0.0, null, 300, 1)]
    public void Desired_workers_drain_the_queue_within_the_target(int queued, int inFlight, double arrivals, double? seconds, int target, int expected)
    {
        Assert.Equal(expected, ScalingHint.DesiredWorkers(queued, inFlight, arrivals, seconds, target));
    }

    [Fact]
    public void Alerts_fire_only_for_thresholds_that_are_set_and_exceeded()
    {
        var role = new RoleDefinition
        {
            Name = "gpu",
            Runner = RunnerKind.Remote,
            Alerts = new RoleAlertOptions { MaxDepth = 10, MaxOldestWaitSeconds = 60, MaxFailureRatio = 0.5, MaxDeadLettersPerHour = 2 },
        };
        var calm = new RoleMetrics { Role = "gpu", QueueDepth = 10, OldestWaitingSeconds = 60, FailureRatioLastHour = 0.5, DeadLettersLastHour = 2 };
        var busy = new RoleMetrics { Role = "gpu", QueueDepth = 11, OldestWaitingSeconds = 61, FailureRatioLastHour = 0.75, DeadLettersLastHour = 3 };

        Assert.Empty(RoleHealth.Evaluate(role, calm));
        var alerts = RoleHealth.Evaluate(role, busy);
        Assert.Equal([RoleHealth.MaxDepth, RoleHealth.MaxOldestWait, RoleHealth.MaxFailureRatio, RoleHealth.MaxDeadLettersPerHour], alerts.Select(a => a.Kind));
        Assert.Equal("role 'gpu': 11 attempts wait in the queue (Alerts:MaxDepth is 10)", alerts[0].Message);
        Assert.Equal("role 'gpu': 3 dead letters in the last hour (Alerts:MaxDeadLettersPerHour is 2)", alerts[3].Message);
        var one = RoleHealth.Evaluate(role with { Alerts = new RoleAlertOptions { MaxDepth = 0, MaxDeadLettersPerHour = 0 } }, busy with { QueueDepth = 1, DeadLettersLastHour = 1 });
        Assert.Equal(["role 'gpu': 1 attempt waits in the queue (Alerts:MaxDepth is 0)", "role 'gpu': 1 dead letter in the last hour (Alerts:MaxDeadLettersPerHour is 0)"], one.Select(a => a.Message));
        Assert.Empty(RoleHealth.Evaluate(role with { Alerts = RoleAlertOptions.Default }, busy));
    }

    [Fact]
    public void An_open_circuit_always_degrades_health()
    {
        var role = new RoleDefinition { Name = "db", Runner = RunnerKind.Command };
        var open = new RoleMetrics
        {
            Role = "db",
            Circuit = new CircuitView { State = CircuitStatus.Open, OpenUntil = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), FailureRatio = 1 },
        };

        var alert = Assert.Single(RoleHealth.Evaluate(role, open));

        Assert.Equal(RoleHealth.CircuitOpen, alert.Kind);
        Assert.Equal("role 'db': the circuit breaker is open until 2026-01-02T03:04:05Z; its attempts wait", alert.Message);
        Assert.Empty(RoleHealth.Evaluate(role, open with { Circuit = open.Circuit with { State = CircuitStatus.Closed } }));
    }
}
