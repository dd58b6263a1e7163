using System.Globalization;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Roles;

namespace AgentFunctions.Core.Resilience;

/// <summary>
/// The alerts of a role from its metrics: each threshold of <see cref="RoleAlertOptions"/> that is set and exceeded,
/// and an open (or half-open) circuit breaker, which always counts.
/// </summary>
public static class RoleHealth
{
    public const string MaxDepth = "max_depth";
    public const string MaxOldestWait = "max_oldest_wait_seconds";
    public const string MaxFailureRatio = "max_failure_ratio";
    public const string MaxDeadLettersPerHour = "max_dead_letters_per_hour";
    public const string CircuitOpen = "circuit_open";

    public static IReadOnlyList<HealthAlert> Evaluate(RoleDefinition role, RoleMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(metrics);
        var alerts = new List<HealthAlert>();
        var name = role.Name;
        var limits = role.Alerts;
        if (limits.MaxDepth is { } maxDepth && metrics.QueueDepth > maxDepth)
        {
            alerts.Add(new HealthAlert(name, MaxDepth, metrics.QueueDepth, maxDepth, $"role '{name}': {(metrics.QueueDepth == 1 ? "1 attempt waits" : $"{metrics.QueueDepth} attempts wait")} in the queue (Alerts:MaxDepth is {maxDepth})"));
        }

        if (limits.MaxOldestWaitSeconds is { } maxWait && metrics.OldestWaitingSeconds is { } oldest && oldest > maxWait)
        {
            alerts.Add(new HealthAlert(name, MaxOldestWait, oldest, maxWait, $"role '{name}': the oldest attempt has waited {Number(oldest)} s (Alerts:MaxOldestWaitSeconds is {Number(maxWait)})"));
        }

        if (limits.MaxFailureRatio is { } maxRatio && metrics.FailureRatioLastHour is { } ratio && ratio > maxRatio)
        {
            alerts.Add(new HealthAlert(name, MaxFailureRatio, ratio, maxRatio, $"role '{name}': {Number(ratio * 100)}% of the last hour's attempts failed (Alerts:MaxFailureRatio is {Number(maxRatio)})"));
        }

        if (limits.MaxDeadLettersPerHour is { } maxDead && metrics.DeadLettersLastHour is { } dead && dead > maxDead)
        {
            alerts.Add(new HealthAlert(name, MaxDeadLettersPerHour, dead, maxDead, $"role '{name}': {(dead == 1 ? "1 dead letter" : $"{dead} dead letters")} in the last hour (Alerts:MaxDeadLettersPerHour is {maxDead})"));
        }

        if (metrics.Circuit is { Enabled: true, State: not CircuitStatus.Closed } circuit)
        {
            var until = circuit.OpenUntil is { } end ? $" until {end.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}" : " (a probe attempt decides)";
            var state = circuit.State == CircuitStatus.Open ? "open" : "half-open";
            alerts.Add(new HealthAlert(name, CircuitOpen, circuit.FailureRatio ?? 0, role.CircuitBreaker.FailureRatio, $"role '{name}': the circuit breaker is {state}{until}; its attempts wait"));
        }

        return alerts;
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
