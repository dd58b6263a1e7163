namespace AgentFunctions.Core.Resilience;

/// <summary>Whether an attempt may start now.</summary>
public enum CircuitVerdict
{
    /// <summary>The breaker is closed (or disabled): the attempt runs.</summary>
    Admitted,

    /// <summary>The break is over: this attempt is the one probe of the half-open breaker.</summary>
    Probe,

    /// <summary>The breaker holds the attempt: it waits, uncounted, until it is asked again.</summary>
    Held,
}
