using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Storage;

/// <summary>What <see cref="DeadLetterReplay"/> decided: why a dead letter cannot be replayed, or the tasks to try in order.</summary>
public sealed record ReplayCandidates(IEnumerable<TaskPlan> Plans, string AllTaken)
{
    /// <summary>Why the dead letter cannot be replayed (a sentence for a 409), or null when <see cref="Plans"/> may be tried.</summary>
    public string? Refusal { get; private init; }

    /// <summary>The task an earlier replay started, when that is the refusal.</summary>
    public string? ReplayedAs { get; private init; }

    public static ReplayCandidates Refused(string refusal, string? replayedAs = null) =>
        new([], string.Empty) { Refusal = refusal, ReplayedAs = replayedAs };
}
