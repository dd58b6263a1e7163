using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Core.Tests.Configuration;

public class CoreConfigurationTests
{
    [Fact]
    public void Roles_are_bound_with_their_runner_options_and_schedule()
    {
        var catalog = CoreConfiguration.LoadRoles(Configuration(new()
        {
            ["Roles:implementation:Runner"] = "command",
            ["Roles:implementation:Command:0"] = "/bin/sh",
            ["Roles:implementation:Command:1"] = "-c",
            ["Roles:implementation:Command:2"] = "echo {input}",
            ["Roles:implementation:TimeoutSeconds"] = "30",
            ["Roles:implementation:Concurrency"] = "2",
            ["Roles:implementation:PermanentExitCodes:0"] = "3",
            ["Roles:implementation:Retry:MaxAttempts"] = "3",
            ["Roles:implementation:Retry:FirstDelay"] = "00:00:01",
            ["Roles:implementation:Retry:BackoffCoefficient"] = "1.5",
            ["Roles:implementation:Retry:MaxDelay"] = "00:00:10",
            ["Roles:review:Runner"] = "remote",
            ["Roles:review:LeaseSeconds"] = "15",
            ["Roles:review:RequiresApproval"] = "true",
            ["Roles:writer:Runner"] = "OpenAI",
            ["Roles:writer:BaseUrl"] = "https://api.openai.com/v1",
            ["Roles:writer:Model"] = "gpt-4o-mini",
            ["Roles:writer:SystemPrompt"] = "You write docs.",
        }));

        var implementation = catalog.Find("implementation")!;
        Assert.Equal(RunnerKind.Command, implementation.Runner);
        Assert.Equal(["/bin/sh", "-c", "echo {input}"], implementation.Command);
        Assert.Equal(TimeSpan.FromSeconds(30), implementation.Timeout);
        Assert.Equal(2, implementation.Concurrency);
        Assert.Equal([3], implementation.PermanentExitCodes);
        Assert.Equal(3, implementation.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), implementation.Retry.FirstDelay);
        Assert.Equal(1.5, implementation.Retry.BackoffCoefficient);
        Assert.Equal(TimeSpan.FromSeconds(10), implementation.Retry.MaxDelay);

        var review = catalog.Find("review")!;
        Assert.Equal(RunnerKind.Remote, review.Runner);
        Assert.Equal(TimeSpan.FromSeconds(15), review.LeaseDuration);
        Assert.True(review.RequiresApproval);
        Assert.Equal(5, review.Retry.MaxAttempts);

        Assert.Equal(RunnerKind.OpenAi, catalog.Find("writer")!.Runner);
        Assert.Equal(["implementation", "review", "writer"], catalog.Names);
    }

    [Fact]
    public void Every_invalid_key_is_named_in_one_error()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => CoreConfiguration.LoadRoles(Configuration(new()
        {
            ["Roles:Bad_Name:Runner"] = "echo",
            ["Roles:a:Runner"] = "teleport",
            ["Roles:b:Runner"] = "echo",
            ["Roles:b:Retry:MaxAttempts"] = "11",
            ["Roles:b:Retry:FirstDelay"] = "two seconds",
            ["Roles:b:Retry:BackoffCoefficient"] = "0.5",
            ["Roles:b:TimeoutSeconds"] = "-1",
            ["Roles:b:RequiresApproval"] = "maybe",
            ["Roles:c:Runner"] = "command",
            ["Roles:d:Runner"] = "http",
            ["Roles:e:Runner"] = "http",
            ["Roles:e:Url"] = "ftp://x",
            ["Roles:f:Runner"] = "openai",
            ["Roles:g:Concurrency"] = "2",
            ["Roles:h:Runner"] = "echo",
            ["Roles:h:Retry:FirstDelay"] = "00:01:00",
            ["Roles:h:Retry:MaxDelay"] = "00:00:30",
        })));

        Assert.Equal(
        [
            "Roles:a:Runner: must be one of echo, command, http, openai, remote (got 'teleport')",
            "Roles:b:TimeoutSeconds: must be between 1 and 604800 (got -1)",
            "Roles:b:RequiresApproval: 'maybe' is not true or false",
            "Roles:b:Retry:MaxAttempts: must be between 1 and 10 (got 11)",
            "Roles:b:Retry:FirstDelay: 'two seconds' is not a duration such as 00:00:02",
            "Roles:b:Retry:BackoffCoefficient: must be between 1 and 100 (got 0.5)",
            "Roles:Bad_Name: 'Bad_Name' is not a valid role name (^[a-z][a-z0-9-]{0,39}$)",
            "Roles:c:Command: is required for the command runner: the program and its arguments as Command:0..n",
            "Roles:d:Url: is required for the http runner",
            "Roles:e:Url: 'ftp://x' is not an absolute http(s) URL",
            "Roles:f:BaseUrl: is required for the openai runner (e.g. https://api.openai.com/v1)",
            "Roles:f:Model: is required for the openai runner",
            "Roles:g:Runner: is required (one of echo, command, http, openai, remote)",
            "Roles:h:Retry:MaxDelay: must not be shorter than Roles:h:Retry:FirstDelay (00:01:00)",
        ],
        error.Problems);
    }

    [Fact]
    public void A_remote_role_allows_leases_of_up_to_four_hours_unless_max_lease_seconds_says_otherwise()
    {
        var catalog = CoreConfiguration.LoadRoles(Configuration(new()
        {
            ["Roles:review:Runner"] = "remote",
            ["Roles:agent:Runner"] = "remote",
            ["Roles:agent:LeaseSeconds"] = "600",
            ["Roles:agent:MaxLeaseSeconds"] = "86400",
            ["Roles:agent:Capabilities:0"] = "gpu",
            ["Roles:agent:Capabilities:1"] = "linux",
        }));

        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromHours(4)), (catalog.Find("review")!.LeaseDuration, catalog.Find("review")!.MaxLeaseDuration));
        Assert.Equal((TimeSpan.FromMinutes(10), TimeSpan.FromDays(1)), (catalog.Find("agent")!.LeaseDuration, catalog.Find("agent")!.MaxLeaseDuration));
        Assert.Equal(["gpu", "linux"], catalog.Find("agent")!.Capabilities);
        Assert.Empty(catalog.Find("review")!.Capabilities);
    }

    [Fact]
    public void Lease_limits_and_capabilities_that_cannot_work_are_named()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => CoreConfiguration.LoadRoles(Configuration(new()
        {
            ["Roles:a:Runner"] = "remote",
            ["Roles:a:LeaseSeconds"] = "20000",
            ["Roles:b:Runner"] = "remote",
            ["Roles:b:MaxLeaseSeconds"] = "0",
            ["Roles:c:Runner"] = "remote",
            ["Roles:c:MaxLeaseSeconds"] = "lots",
            ["Roles:d:Runner"] = "echo",
            ["Roles:d:Capabilities:0"] = "GPU!",
        })));

        Assert.Equal(
        [
            "Roles:a:LeaseSeconds: must not exceed Roles:a:MaxLeaseSeconds (14400); raise MaxLeaseSeconds to allow longer leases",
            "Roles:b:MaxLeaseSeconds: must be between 1 and 604800 (got 0)",
            "Roles:c:MaxLeaseSeconds: 'lots' is not a whole number",
            "Roles:d:Capabilities:0: 'GPU!' is not a valid capability name (^[a-z][a-z0-9-]{0,39}$)",
        ],
        error.Problems);
    }

    [Fact]
    public void Workflow_and_limits_have_defaults_and_can_be_set()
    {
        Assert.Equal(TimeSpan.FromHours(24), CoreConfiguration.LoadWorkflow(Configuration([])).ApprovalTimeout);
        Assert.Equal(16, CoreConfiguration.LoadLimits(Configuration([])).MaxRolesPerTask);

        var config = Configuration(new() { ["Workflow:ApprovalTimeout"] = "00:05:00", ["Limits:MaxRolesPerTask"] = "4" });

        Assert.Equal(TimeSpan.FromMinutes(5), CoreConfiguration.LoadWorkflow(config).ApprovalTimeout);
        Assert.Equal(4, CoreConfiguration.LoadLimits(config).MaxRolesPerTask);
    }

    [Fact]
    public void Invalid_limits_are_named()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => CoreConfiguration.LoadLimits(Configuration(new()
        {
            ["Limits:MaxRolesPerTask"] = "lots",
            ["Limits:MinTtlSeconds"] = "100",
            ["Limits:MaxTtlSeconds"] = "50",
        })));

        Assert.Equal(
            ["Limits:MaxRolesPerTask: 'lots' is not a whole number", "Limits:MinTtlSeconds: must not exceed Limits:MaxTtlSeconds (50)"],
            error.Problems);
        Assert.StartsWith("Invalid configuration:", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
