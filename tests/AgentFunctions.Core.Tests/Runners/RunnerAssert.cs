using System.Diagnostics;
using AgentFunctions.Core.Runners;

namespace AgentFunctions.Core.Tests.Runners;

/// <summary>What the HTTP runners (http and openai) must both make of an endpoint's error answer or silence.</summary>
internal static class RunnerAssert
{
    /// <summary>An error answer: a failed attempt, permanent or transient as designed, whose summary names the status.</summary>
    public static void FailedWithStatus(AgentResult result, int status, bool permanent)
    {
        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.Equal(permanent, result.Permanent);
        Assert.Contains($"HTTP {status}", result.Summary, StringComparison.Ordinal);
    }

    /// <summary>An endpoint that does not answer within the role's 1 s timeout: a transient failure that says so, ended well before the endpoint's 10 s.</summary>
    public static void TimedOutAfterOneSecond(AgentResult result, Stopwatch stopwatch)
    {
        Assert.Equal(AgentResultStatus.Failed, result.Status);
        Assert.False(result.Permanent);
        Assert.Contains("timed out after 1s", result.Summary, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"took {stopwatch.Elapsed}");
    }
}
