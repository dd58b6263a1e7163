using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace AgentFunctions.Core.Tests.Runners;

public sealed class AgentRunnerFactoryTests
{
    private static readonly Uri AgentUrl = new("http://127.0.0.1:9/agent");

    [Theory]
    [InlineData(RunnerKind.Echo, typeof(EchoRunner))]
    [InlineData(RunnerKind.Command, typeof(CommandRunner))]
    [InlineData(RunnerKind.Http, typeof(HttpAgentRunner))]
    [InlineData(RunnerKind.OpenAi, typeof(OpenAiChatRunner))]
    public void Each_in_process_runner_kind_gets_its_runner(RunnerKind kind, Type expected)
    {
        using var services = RunnerTestData.Services();
        var factory = services.GetRequiredService<IAgentRunnerFactory>();

        var runner = factory.Create(new RoleDefinition { Name = "impl", Runner = kind, Command = ["true"], Url = AgentUrl, BaseUrl = AgentUrl, Model = "m" });

        Assert.IsType(expected, Assert.IsType<TracedRunner>(runner).Inner);
    }

    [Fact]
    public void Remote_roles_have_no_in_process_runner()
    {
        using var services = RunnerTestData.Services();

        Assert.Null(services.GetRequiredService<IAgentRunnerFactory>().Create(new RoleDefinition { Name = "impl", Runner = RunnerKind.Remote }));
    }

    [Fact]
    public void Runner_is_reused_for_the_same_role_and_rebuilt_when_the_role_changes()
    {
        using var services = RunnerTestData.Services();
        var factory = services.GetRequiredService<IAgentRunnerFactory>();
        var role = new RoleDefinition { Name = "impl", Runner = RunnerKind.Http, Url = AgentUrl };

        var first = factory.Create(role);
        var again = factory.Create(role with { });
        var changed = factory.Create(role with { Timeout = TimeSpan.FromSeconds(3) });

        Assert.Same(first, again);
        Assert.NotSame(first, changed);
    }

    [Fact]
    public async Task Runners_from_the_container_carry_out_attempts()
    {
        using var services = RunnerTestData.Services();
        var factory = services.GetRequiredService<IAgentRunnerFactory>();
        var runner = factory.Create(RunnerTestData.CommandRole("cat"));

        var result = await runner!.RunAsync(RunnerTestData.Attempt("from the container"), CancellationToken.None);

        Assert.Equal("from the container", result.Result);
    }

    [Fact]
    public async Task Command_runner_takes_the_artifact_limit_the_host_registered()
    {
        // The host registers the limits it loaded from configuration before adding the runners.
        var services = new ServiceCollection();
        services.AddSingleton(new TaskLimits { MaxArtifactBytes = 10 });
        services.AddAgentRunners();
        using var provider = services.BuildServiceProvider();
        var runner = provider.GetRequiredService<IAgentRunnerFactory>().Create(RunnerTestData.CommandRole(
            "sh", "-c", "printf 0123456789 > \"$AGENTQ_ARTIFACTS_DIR/ten.txt\"; printf 0123456789A > \"$AGENTQ_ARTIFACTS_DIR/eleven.txt\"; echo ok"));

        var result = await runner!.RunAsync(RunnerTestData.Attempt(), CancellationToken.None);

        Assert.Equal("ten.txt", Assert.Single(result.Artifacts).Name);
        Assert.Contains("Skipped the artifact file 'eleven.txt': 11 bytes is more than 10", result.Result, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_limits_are_added_only_when_the_host_registered_none()
    {
        using var defaults = RunnerTestData.Services();
        var configured = new TaskLimits { MaxArtifactBytes = 42 };
        using var hosted = RunnerTestData.Services(s => s.AddSingleton(configured));

        Assert.Equal(10 * 1024 * 1024, defaults.GetRequiredService<TaskLimits>().MaxArtifactBytes);
        Assert.Same(configured, hosted.GetRequiredService<TaskLimits>());
    }

    [Fact]
    public void Runner_http_client_is_not_limited_by_the_default_100_second_timeout()
    {
        using var services = RunnerTestData.Services();

        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(AgentRunnerFactory.HttpClientName);

        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
    }

    [Fact]
    public void Host_time_provider_is_kept()
    {
        var custom = new Mock<TimeProvider>().Object;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(custom);
        services.AddAgentRunners();

        using var provider = services.BuildServiceProvider();

        Assert.Same(custom, provider.GetRequiredService<TimeProvider>());
        Assert.NotNull(provider.GetRequiredService<AgentProcess>());
    }
}
