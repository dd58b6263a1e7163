using System.Diagnostics.Metrics;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Resilience;

namespace AgentFunctions.Api.Telemetry;

/// <summary>
/// Every figure of <c>/api/metrics</c>, in the order the Prometheus text lists them. A new figure of the snapshot
/// (per role, say) is one more line here: the Meter, OTLP export and the Prometheus text all take it from this list.
/// Tag names are the Prometheus labels.
/// </summary>
public static class MetricFigures
{
    public static IReadOnlyList<MetricFigure> All { get; } =
    [
        new("agentfunctions.tasks", "{task}", "Tasks by state.", MetricFigureKind.Gauge, "agentfunctions_tasks", "gauge",
            s => s.Tasks.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Measure(p.Value, ("state", p.Key)))),
        new("agentfunctions.tasks.completed", "{task}", "Tasks that completed.", MetricFigureKind.Counter, "agentfunctions_tasks_completed_total", "counter",
            s => [Measure(s.Completed)]),
        new("agentfunctions.tasks.failed", "{task}", "Tasks that failed.", MetricFigureKind.Counter, "agentfunctions_tasks_failed_total", "counter",
            s => [Measure(s.Failed)]),
        new("agentfunctions.dead_letters", "{role}", "Roles dead-lettered.", MetricFigureKind.Counter, "agentfunctions_dead_letters_total", "counter",
            s => [Measure(s.DeadLettered)]),
        Role("agentfunctions.role.queue_depth", "{attempt}", "Attempts due and waiting.", MetricFigureKind.Gauge, "agentfunctions_role_queue_depth", r => r.QueueDepth),
        Role("agentfunctions.role.oldest_waiting", "s", "Age of the oldest waiting attempt.", MetricFigureKind.Gauge, "agentfunctions_role_oldest_waiting_seconds", r => r.OldestWaitingSeconds ?? 0),
        Role("agentfunctions.role.in_flight", "{attempt}", "Attempts running now.", MetricFigureKind.Gauge, "agentfunctions_role_in_flight", r => r.InFlight),
        Role("agentfunctions.role.retrying", "{role}", "Roles waiting for their next attempt.", MetricFigureKind.Gauge, "agentfunctions_role_retrying", r => r.Retrying),
        Role("agentfunctions.role.dead_lettered", "{role}", "Roles dead-lettered.", MetricFigureKind.Counter, "agentfunctions_role_dead_lettered_total", r => r.DeadLettered),
        Role("agentfunctions.role.succeeded", "{attempt}", "Attempts that succeeded.", MetricFigureKind.Counter, "agentfunctions_role_succeeded_total", r => r.Succeeded),
        Role("agentfunctions.role.failed_attempts", "{attempt}", "Attempts that failed.", MetricFigureKind.Counter, "agentfunctions_role_failed_attempts_total", r => r.FailedAttempts),
        Role("agentfunctions.role.circuit_open", "1", "1 while the role's circuit breaker is open or half-open (its attempts wait), else 0.", MetricFigureKind.Gauge, "agentfunctions_role_circuit_open",
            r => r.Circuit is { Enabled: true, State: not CircuitStatus.Closed } ? 1 : 0),
        new("agentfunctions.role.circuit_openings", "{opening}", "Times the role's circuit breaker opened.", MetricFigureKind.Counter, "agentfunctions_role_circuit_openings_total", "counter",
            s => s.Roles.Where(r => r.Circuit is not null).Select(r => Measure(r.Circuit!.Openings, ("role", r.Role)))),
        new("agentfunctions.role.desired_workers", "{worker}", "Workers a remote role needs to drain its queue within Alerts:TargetDrainSeconds.", MetricFigureKind.Gauge, "agentfunctions_role_desired_workers", "gauge",
            s => s.Roles.Where(r => r.DesiredWorkers is not null).Select(r => Measure(r.DesiredWorkers!.Value, ("role", r.Role)))),
        new("agentfunctions.role.attempt_latency", "ms", "Attempt latency in milliseconds (quantiles over recent attempts).", MetricFigureKind.Gauge, "agentfunctions_role_attempt_latency_ms", "summary",
            s => s.Roles.SelectMany(r => Quantiles(r))),
        new("agentfunctions.role.attempt_latency.sum", "ms", "Total latency of the attempts counted.", MetricFigureKind.Counter, "agentfunctions_role_attempt_latency_ms_sum", null,
            s => s.Roles.Select(r => Measure(r.AttemptLatencyMs.SumMs, ("role", r.Role)))),
        new("agentfunctions.role.attempt_latency.count", "{attempt}", "Attempts whose latency was counted.", MetricFigureKind.Counter, "agentfunctions_role_attempt_latency_ms_count", null,
            s => s.Roles.Select(r => Measure(r.AttemptLatencyMs.Count, ("role", r.Role)))),
        new("agentfunctions.role.tokens", "{token}", "Tokens reported by agents.", MetricFigureKind.Counter, "agentfunctions_role_tokens_total", "counter",
            s => s.Roles.Where(r => r.Usage is not null).SelectMany(r => new[]
            {
                Measure(r.Usage!.InputTokens, ("role", r.Role), ("direction", "input")),
                Measure(r.Usage.OutputTokens, ("role", r.Role), ("direction", "output")),
            })),
        new("agentfunctions.role.cost", "USD", "Cost reported by agents, in US dollars.", MetricFigureKind.Counter, "agentfunctions_role_cost_usd_total", "counter",
            s => s.Roles.Where(r => r.Usage is not null).Select(r => Measure((double)r.Usage!.CostUsd, ("role", r.Role)))),
        new("agentfunctions.worker.last_seen", "s", "When a remote worker was last seen (Unix time).", MetricFigureKind.Gauge, "agentfunctions_worker_last_seen_timestamp_seconds", "gauge",
            s => s.Workers.Select(w => Measure(w.LastSeenAt.ToUnixTimeMilliseconds() / 1000.0, ("worker", w.WorkerId), ("role", w.Role)))),
    ];

    /// <summary>A per-role figure: one measurement per role, tagged <c>role</c>.</summary>
    public static MetricFigure Role(string name, string unit, string description, MetricFigureKind kind, string prometheusName, Func<RoleMetrics, double> value) =>
        new(name, unit, description, kind, prometheusName, kind == MetricFigureKind.Gauge ? "gauge" : "counter",
            s => s.Roles.Select(r => Measure(value(r), ("role", r.Role))));

    public static Measurement<double> Measure(double value, params (string Name, string Value)[] tags) =>
        new(value, tags.Select(t => new KeyValuePair<string, object?>(t.Name, t.Value)));

    private static IEnumerable<Measurement<double>> Quantiles(RoleMetrics role)
    {
        var latency = role.AttemptLatencyMs;
        foreach (var (quantile, value) in new[] { ("0.5", latency.P50), ("0.95", latency.P95), ("0.99", latency.P99) })
        {
            if (value is { } v)
            {
                yield return Measure(v, ("role", role.Role), ("quantile", quantile));
            }
        }
    }
}
