namespace AgentFunctions.Core.Resilience;

/// <summary>What recording an outcome did to the breaker.</summary>
public enum CircuitTransition
{
    None,

    /// <summary>The failure ratio crossed the threshold: closed to open.</summary>
    Opened,

    /// <summary>The probe failed: half-open to open again.</summary>
    Reopened,

    /// <summary>The probe (or an attempt in flight since before the break) succeeded: half-open to closed.</summary>
    Closed,
}
