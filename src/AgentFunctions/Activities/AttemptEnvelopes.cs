using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;

namespace AgentFunctions.Activities;

/// <summary>
/// Orchestrations hand attempts to activities without their context and prompt (the context alone may be 1 MiB,
/// and every activity input is kept in the orchestration history); the activity fills them in from the artifact
/// store, so a runner or remote worker receives the same envelope <see cref="AttemptFactory"/> builds.
/// </summary>
public static class AttemptEnvelopes
{
    public static async Task<AgentAttempt> CompleteAsync(AgentAttempt attempt, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(artifacts);
        var context = attempt.Context;
        if (context is null && attempt.ContextRef is { } path)
        {
            // Missing only if someone deleted it: the prompt then points at the artifact instead of quoting it.
            context = await artifacts.ReadTextAsync(path, cancellationToken);
        }

        var full = attempt with { Context = context };
        return full with { Prompt = PromptBuilder.Build(full) };
    }
}
