using AgentFunctions.Core.Runners;

namespace AgentFunctions.Core.Tests.Runners;

public sealed class EchoRunnerTests
{
    [Fact]
    public async Task Echo_answers_with_the_whole_prompt_and_names_role_and_attempt()
    {
        var attempt = RunnerTestData.Attempt(prompt: "# Task\n\nSay \"hello\" in 🇫🇷.", taskId: "t-42", role: "docs", attempt: 3);

        var result = await new EchoRunner().RunAsync(attempt, CancellationToken.None);

        Assert.Equal(AgentResultStatus.Completed, result.Status);
        Assert.Equal("echo: docs handled task t-42 (attempt 3)", result.Summary);
        Assert.StartsWith("# Echo from docs (attempt 3)", result.Result, StringComparison.Ordinal);
        Assert.Contains(attempt.Prompt, result.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Echo_is_deterministic()
    {
        var runner = new EchoRunner();

        var first = await runner.RunAsync(RunnerTestData.Attempt(), CancellationToken.None);
        var second = await new EchoRunner().RunAsync(RunnerTestData.Attempt(), CancellationToken.None);

        Assert.Equal(first.Summary, second.Summary);
        Assert.Equal(first.Result, second.Result);
        Assert.Equal(first.Status, second.Status);
    }

    [Fact]
    public async Task Echo_honours_an_already_cancelled_token()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new EchoRunner().RunAsync(RunnerTestData.Attempt(), new CancellationToken(canceled: true)));
    }
}
