using System.Collections.Concurrent;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Standalone.Logging;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The circuit breakers of the configured roles, in-process. A change of status is persisted through the journal
/// (table <c>circuits</c>), so an open breaker stays open across a restart. When a breaker opens, the attempts waiting
/// in its queue (and those that arrive while it is open) are held: each task records <see cref="RoleCircuitHeld"/>,
/// and the queue is pumped again when the break ends; when it closes, they record <see cref="RoleCircuitReleased"/>
/// and are handed out.
/// </summary>
public sealed class CircuitBreakers
{
    private readonly ConcurrentDictionary<string, RoleCircuit> _circuits = new(StringComparer.Ordinal);
    private readonly Journal _journal;
    private readonly WorkScheduler _scheduler;
    private readonly RoleCatalog _roles;
    private readonly ILogger<CircuitBreakers> _logger;

    public CircuitBreakers(Journal journal, WorkScheduler scheduler, RoleCatalog roles, ILogger<CircuitBreakers> logger)
    {
        _journal = journal;
        _scheduler = scheduler;
        _roles = roles;
        _logger = logger;
    }

    /// <summary>The breaker of a configured role (null for a role this host does not have).</summary>
    public RoleCircuit? For(string role) => _roles.Find(role) is { } definition
        ? _circuits.GetOrAdd(role, _ => Create(definition, CircuitState.Initial))
        : null;

    /// <summary>Takes over the states persisted before a restart (a probe in flight then no longer runs).</summary>
    public void Restore(IEnumerable<(string Role, string Json)> persisted)
    {
        ArgumentNullException.ThrowIfNull(persisted);
        foreach (var (role, json) in persisted)
        {
            if (_roles.Find(role) is not { } definition)
            {
                continue;
            }

            CircuitState? state;
            try
            {
                state = JsonSerializer.Deserialize<CircuitState>(json, CoreJson.Options);
            }
            catch (JsonException)
            {
                state = null;
            }

            var circuit = _circuits[role] = Create(definition, CircuitBreaker.AfterRestart(state ?? CircuitState.Initial));
            if (circuit.State is { Status: CircuitStatus.Open, OpenUntil: { } until })
            {
                _scheduler.At(until, () => circuit.Queue?.Pump());
            }
        }
    }

    /// <summary>How a role's breaker changed: persist it, hold or release the waiting attempts.</summary>
    internal void Changed(RoleCircuit circuit, CircuitState state, CircuitTransition transition)
    {
        var json = JsonSerializer.Serialize(state with { Window = [] }, CoreJson.Options);
        var queue = circuit.Queue;
        switch (transition)
        {
            case CircuitTransition.Opened or CircuitTransition.Reopened:
                _logger.CircuitOpened(circuit.Role, state.OpenUntil ?? DateTimeOffset.MinValue);
                var until = state.OpenUntil!.Value;
                Persist(circuit.Role, json, queue?.Waiting() ?? [], item => new RoleCircuitHeld(item.Role, item.Attempt, until));
                _scheduler.At(until, () => circuit.Queue?.Pump());
                break;
            case CircuitTransition.Closed:
                _logger.CircuitClosed(circuit.Role);
                Persist(circuit.Role, json, queue?.Waiting() ?? [], item => new RoleCircuitReleased(item.Role));
                queue?.Pump();
                break;
            default:
                Persist(circuit.Role, json, [], null);
                break;
        }
    }

    /// <summary>Attempts that arrived in the queue while the breaker holds it.</summary>
    internal void Held(RoleCircuit circuit, IReadOnlyList<WorkItem> items, DateTimeOffset until) =>
        Persist(circuit.Role, null, items, item => new RoleCircuitHeld(item.Role, item.Attempt, until));

    private RoleCircuit Create(RoleDefinition role, CircuitState state)
    {
        // A probe is given up on after the longest it can legitimately run: a local run's timeout or a remote lease, and a break.
        var run = role.Runner == RunnerKind.Remote ? role.LeaseDuration : role.Timeout;
        return new RoleCircuit(role.Name, role.CircuitBreaker, run + role.CircuitBreaker.BreakDuration, state, this);
    }

    /// <summary>One journal operation: the breaker's row, and an event for each still-current attempt.</summary>
    private void Persist(string role, string? json, IReadOnlyList<WorkItem> items, Func<WorkItem, WorkflowEvent>? toEvent)
    {
        if (json is null && (items.Count == 0 || toEvent is null))
        {
            return;
        }

        _ = _journal.ExecuteAsync(context =>
        {
            if (json is not null)
            {
                context.SaveCircuit(role, json);
            }

            if (toEvent is not null)
            {
                foreach (var item in items)
                {
                    if (!item.Removed && context.FindActive(item.TaskId) is { } entry && entry.Work.GetValueOrDefault(item.Key) == item && item.LeaseId is null)
                    {
                        context.Apply(entry, toEvent(item));
                    }
                }
            }

            return true;
        });
    }
}
