using AgentFunctions.Core.Resilience;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The circuit breaker of one role in the Standalone server, around the pure rules of <see cref="CircuitBreaker"/>:
/// its role queue asks it before handing out an attempt, runners and the lease API tell it how attempts ended, and
/// <see cref="CircuitBreakers"/> hears of every change (to persist it, and to hold or release the waiting attempts).
/// </summary>
public sealed class RoleCircuit
{
    private readonly Lock _lock = new();
    private readonly CircuitBreakers _owner;
    private CircuitState _state;

    internal RoleCircuit(string role, CircuitBreakerOptions options, TimeSpan probeTimeout, CircuitState state, CircuitBreakers owner)
    {
        Role = role;
        Options = options;
        ProbeTimeout = probeTimeout;
        _state = state;
        _owner = owner;
    }

    public string Role { get; }

    public CircuitBreakerOptions Options { get; }

    /// <summary>How long a probe keeps the half-open slot before another attempt may probe.</summary>
    public TimeSpan ProbeTimeout { get; }

    /// <summary>The role's queue (set once it exists): what the breaker holds and releases.</summary>
    public RoleQueue? Queue { get; private set; }

    public CircuitState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    internal void Attach(RoleQueue queue) => Queue = queue;

    /// <summary>Until when the breaker holds every attempt, or null when one may start (without taking a probe slot).</summary>
    public DateTimeOffset? HoldsUntil(DateTimeOffset now)
    {
        if (!Options.Enabled)
        {
            return null;
        }

        lock (_lock)
        {
            return _state.Status switch
            {
                CircuitStatus.Open when _state.OpenUntil is { } until && now < until => until,
                CircuitStatus.HalfOpen when _state.ProbeStartedAt is { } started && now - started < ProbeTimeout =>
                    started + ProbeTimeout < now + Options.BreakDuration ? started + ProbeTimeout : now + Options.BreakDuration,
                _ => null,
            };
        }
    }

    /// <summary>Whether an attempt may start now; a half-open breaker lets exactly one through as its probe.</summary>
    public CircuitVerdict Admit(DateTimeOffset now)
    {
        CircuitAdmission admission;
        bool changed;
        lock (_lock)
        {
            admission = CircuitBreaker.Admit(_state, Options, now, ProbeTimeout);
            changed = Differs(_state, admission.State);
            _state = admission.State;
        }

        if (changed)
        {
            _owner.Changed(this, admission.State, CircuitTransition.None);
        }

        return admission.Verdict;
    }

    /// <summary>Counts how an attempt ended (permanent failures are <see cref="CircuitOutcome.Ignored"/>).</summary>
    public void Record(CircuitOutcome outcome, bool probe, DateTimeOffset now)
    {
        CircuitChange change;
        bool changed;
        lock (_lock)
        {
            change = CircuitBreaker.Record(_state, Options, now, outcome, probe);
            changed = Differs(_state, change.State);
            _state = change.State;
        }

        if (changed || change.Transition != CircuitTransition.None)
        {
            _owner.Changed(this, change.State, change.Transition);
        }
    }

    /// <summary>The probe did not run after all (its lease was handed back, its task canceled): another may probe.</summary>
    public void ReleaseProbe()
    {
        CircuitState state;
        lock (_lock)
        {
            state = _state = CircuitBreaker.ReleaseProbe(_state);
        }

        _owner.Changed(this, state, CircuitTransition.None);
        Queue?.Pump();
    }

    /// <summary>Attempts the breaker holds as they arrive in the queue.</summary>
    internal void OnHeld(IReadOnlyList<WorkItem> items, DateTimeOffset until) => _owner.Held(this, items, until);

    /// <summary>What is worth persisting changed (not just the window's counts).</summary>
    private static bool Differs(CircuitState before, CircuitState after) =>
        before.Status != after.Status || before.OpenUntil != after.OpenUntil || before.ProbeStartedAt != after.ProbeStartedAt;
}
