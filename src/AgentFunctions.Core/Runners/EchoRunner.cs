using System.Globalization;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// The <c>echo</c> runner: answers every attempt with the prompt it was given. No I/O, no clock, so the
/// same attempt always yields the same result — for demos, smoke tests and engine tests.
/// </summary>
public sealed class EchoRunner : IAgentRunner
{
    public Task<AgentResult> RunAsync(AgentAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Answer(attempt));
    }

    /// <summary>The echo answer for <paramref name="attempt"/>.</summary>
    public static AgentResult Answer(AgentAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var markdown = string.Create(
            CultureInfo.InvariantCulture,
            $"# Echo from {attempt.Role} (attempt {attempt.Attempt})\n\nTask `{attempt.TaskId}` was handled by the echo runner. The prompt it received:\n\n{attempt.Prompt}");
        var summary = string.Create(CultureInfo.InvariantCulture, $"echo: {attempt.Role} handled task {attempt.TaskId} (attempt {attempt.Attempt})");
        return AgentResult.Completed(markdown, summary);
    }
}
