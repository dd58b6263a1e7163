using System.Globalization;
using System.Text;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Resilience;

namespace AgentFunctions.Api.Http;

/// <summary>Renders a metrics snapshot in the Prometheus text exposition format.</summary>
public static class PrometheusText
{
    public static string Render(MetricsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var text = new StringBuilder();

        Header(text, "agentfunctions_tasks", "gauge", "Tasks by state.");
        foreach (var (state, count) in snapshot.Tasks.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Sample(text, "agentfunctions_tasks", count, ("state", state));
        }

        Header(text, "agentfunctions_tasks_completed_total", "counter", "Tasks that completed.");
        Sample(text, "agentfunctions_tasks_completed_total", snapshot.Completed);
        Header(text, "agentfunctions_tasks_failed_total", "counter", "Tasks that failed.");
        Sample(text, "agentfunctions_tasks_failed_total", snapshot.Failed);
        Header(text, "agentfunctions_dead_letters_total", "counter", "Roles dead-lettered.");
        Sample(text, "agentfunctions_dead_letters_total", snapshot.DeadLettered);

        RoleFamily(text, snapshot, "agentfunctions_role_queue_depth", "gauge", "Attempts due and waiting.", r => r.QueueDepth);
        RoleFamily(text, snapshot, "agentfunctions_role_oldest_waiting_seconds", "gauge", "Age of the oldest waiting attempt.", r => r.OldestWaitingSeconds ?? 0);
        RoleFamily(text, snapshot, "agentfunctions_role_in_flight", "gauge", "Attempts running now.", r => r.InFlight);
        RoleFamily(text, snapshot, "agentfunctions_role_retrying", "gauge", "Roles waiting for their next attempt.", r => r.Retrying);
        RoleFamily(text, snapshot, "agentfunctions_role_dead_lettered_total", "counter", "Roles dead-lettered.", r => r.DeadLettered);
        RoleFamily(text, snapshot, "agentfunctions_role_succeeded_total", "counter", "Attempts that succeeded.", r => r.Succeeded);
        RoleFamily(text, snapshot, "agentfunctions_role_failed_attempts_total", "counter", "Attempts that failed.", r => r.FailedAttempts);

        RoleFamily(text, snapshot, "agentfunctions_role_circuit_open", "gauge", "1 while the role's circuit breaker is open or half-open (its attempts wait), else 0.", r => r.Circuit is { Enabled: true, State: not CircuitStatus.Closed } ? 1 : 0);
        Header(text, "agentfunctions_role_circuit_openings_total", "counter", "Times the role's circuit breaker opened.");
        foreach (var role in snapshot.Roles.Where(r => r.Circuit is not null))
        {
            Sample(text, "agentfunctions_role_circuit_openings_total", role.Circuit!.Openings, ("role", role.Role));
        }

        Header(text, "agentfunctions_role_desired_workers", "gauge", "Workers a remote role needs to drain its queue within Alerts:TargetDrainSeconds.");
        foreach (var role in snapshot.Roles.Where(r => r.DesiredWorkers is not null))
        {
            Sample(text, "agentfunctions_role_desired_workers", role.DesiredWorkers!.Value, ("role", role.Role));
        }

        Header(text, "agentfunctions_role_attempt_latency_ms", "summary", "Attempt latency in milliseconds.");
        foreach (var role in snapshot.Roles)
        {
            var latency = role.AttemptLatencyMs;
            foreach (var (quantile, value) in new[] { ("0.5", latency.P50), ("0.95", latency.P95), ("0.99", latency.P99) })
            {
                if (value is { } v)
                {
                    Sample(text, "agentfunctions_role_attempt_latency_ms", v, ("role", role.Role), ("quantile", quantile));
                }
            }

            Sample(text, "agentfunctions_role_attempt_latency_ms_sum", latency.SumMs, ("role", role.Role));
            Sample(text, "agentfunctions_role_attempt_latency_ms_count", latency.Count, ("role", role.Role));
        }

        Header(text, "agentfunctions_role_tokens_total", "counter", "Tokens reported by agents.");
        foreach (var role in snapshot.Roles.Where(r => r.Usage is not null))
        {
            Sample(text, "agentfunctions_role_tokens_total", role.Usage!.InputTokens, ("role", role.Role), ("direction", "input"));
            Sample(text, "agentfunctions_role_tokens_total", role.Usage.OutputTokens, ("role", role.Role), ("direction", "output"));
        }

        Header(text, "agentfunctions_role_cost_usd_total", "counter", "Cost reported by agents, in US dollars.");
        foreach (var role in snapshot.Roles.Where(r => r.Usage is not null))
        {
            Sample(text, "agentfunctions_role_cost_usd_total", (double)role.Usage!.CostUsd, ("role", role.Role));
        }

        Header(text, "agentfunctions_worker_last_seen_timestamp_seconds", "gauge", "When a remote worker was last seen (Unix time).");
        foreach (var worker in snapshot.Workers)
        {
            Sample(text, "agentfunctions_worker_last_seen_timestamp_seconds", worker.LastSeenAt.ToUnixTimeMilliseconds() / 1000.0, ("worker", worker.WorkerId), ("role", worker.Role));
        }

        return text.ToString();
    }

    private static void RoleFamily(StringBuilder text, MetricsSnapshot snapshot, string name, string type, string help, Func<RoleMetrics, double> value)
    {
        Header(text, name, type, help);
        foreach (var role in snapshot.Roles)
        {
            Sample(text, name, value(role), ("role", role.Role));
        }
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, double value, params (string Name, string Value)[] labels)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);
}
