namespace AgentFunctions.Api.Engine;

/// <summary>The outcome of a dead-letter replay: the new task, or why there is none.</summary>
public sealed record ReplayResult(ReplayOutcome Outcome, string? TaskId, string? Detail)
{
    public static ReplayResult NotFound { get; } = new(ReplayOutcome.NotFound, null, null);
}
