namespace AgentFunctions.Testing.Durable;

/// <summary>What a <see cref="HistoryProbe"/> saw of one orchestration instance.</summary>
/// <param name="LongestEpisode">The most history events one work item carried (what that step replayed).</param>
/// <param name="Executions">How many executions started (1 + the number of continue-as-new).</param>
/// <param name="WorkItems">How many times the orchestrator ran (each replays its execution's history).</param>
public sealed record InstanceHistory(int LongestEpisode, int Executions, int WorkItems);
