using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Security;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Core.Tests.Configuration;

/// <summary>Capabilities, circuit breaker, alerts and the secret scan in configuration, with the contract's defaults.</summary>
public class ResilienceConfigurationTests
{
    [Fact]
    public void A_role_without_these_keys_gets_the_defaults()
    {
        var role = CoreConfiguration.LoadRoles(Configuration(new() { ["Roles:impl:Runner"] = "echo" })).Find("impl")!;

        Assert.Empty(role.Capabilities);
        Assert.Equal(CircuitBreakerOptions.Default, role.CircuitBreaker);
        Assert.Equal((null, null, null, null, 300), (role.Alerts.MaxDepth, role.Alerts.MaxOldestWaitSeconds, role.Alerts.MaxFailureRatio, role.Alerts.MaxDeadLettersPerHour, role.Alerts.TargetDrainSeconds));
        Assert.False(role.Alerts.AnyAlert);
        Assert.Equal(SecretScanMode.Reject, CoreConfiguration.LoadSecurity(Configuration([])).SecretScan);
    }

    [Fact]
    public void Capabilities_breaker_and_alerts_are_read_with_durations_as_seconds_or_timespans()
    {
        var role = CoreConfiguration.LoadRoles(Configuration(new()
        {
            ["Roles:db:Runner"] = "command",
            ["Roles:db:Command:0"] = "/bin/true",
            ["Roles:db:Capabilities:0"] = "database",
            ["Roles:db:Capabilities:1"] = "gpu",
            ["Roles:db:CircuitBreaker:Enabled"] = "false",
            ["Roles:db:CircuitBreaker:FailureRatio"] = "0.25",
            ["Roles:db:CircuitBreaker:MinimumThroughput"] = "3",
            ["Roles:db:CircuitBreaker:SamplingDuration"] = "120",
            ["Roles:db:CircuitBreaker:BreakDuration"] = "00:00:02.5",
            ["Roles:db:Alerts:MaxDepth"] = "100",
            ["Roles:db:Alerts:MaxOldestWaitSeconds"] = "600",
            ["Roles:db:Alerts:MaxFailureRatio"] = "0.2",
            ["Roles:db:Alerts:MaxDeadLettersPerHour"] = "5",
            ["Roles:db:Alerts:TargetDrainSeconds"] = "60",
        })).Find("db")!;

        Assert.Equal(["database", "gpu"], role.Capabilities);
        Assert.Equal(new CircuitBreakerOptions { Enabled = false, FailureRatio = 0.25, MinimumThroughput = 3, SamplingDuration = TimeSpan.FromSeconds(120), BreakDuration = TimeSpan.FromSeconds(2.5) }, role.CircuitBreaker);
        Assert.Equal(new RoleAlertOptions { MaxDepth = 100, MaxOldestWaitSeconds = 600, MaxFailureRatio = 0.2, MaxDeadLettersPerHour = 5, TargetDrainSeconds = 60 }, role.Alerts);
        Assert.Equal(SecretScanMode.Flag, CoreConfiguration.LoadSecurity(Configuration(new() { ["Security:SecretScan"] = "flag" })).SecretScan);
    }

    [Fact]
    public void Bad_values_stop_the_start_naming_each_key()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => CoreConfiguration.LoadRoles(Configuration(new()
        {
            ["Roles:db:Runner"] = "echo",
            ["Roles:db:Capabilities:0"] = "Data Base",
            ["Roles:db:CircuitBreaker:FailureRatio"] = "2",
            ["Roles:db:CircuitBreaker:BreakDuration"] = "soon",
            ["Roles:db:Alerts:MaxFailureRatio"] = "-1",
        })));

        Assert.Contains(error.Problems, p => p.StartsWith("Roles:db:Capabilities:0:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Roles:db:CircuitBreaker:FailureRatio:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Roles:db:CircuitBreaker:BreakDuration:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Roles:db:Alerts:MaxFailureRatio:", StringComparison.Ordinal));

        var security = Assert.Throws<InvalidConfigurationException>(() => CoreConfiguration.LoadSecurity(Configuration(new() { ["Security:SecretScan"] = "Maybe" })));
        Assert.Equal("Security:SecretScan: must be one of Reject, Flag, Off (got 'Maybe')", Assert.Single(security.Problems));
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
