namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// A role's counters as the <c>role_counters</c> table keeps them: totals when read, and what one batch adds when
/// written (<see cref="TaskWriter.AddRoleCounters"/>).
/// </summary>
public sealed record RoleCounters(
    string Role,
    long Succeeded,
    long Failed,
    long DeadLettered,
    long LatencyCount,
    double LatencySumMs,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd);
