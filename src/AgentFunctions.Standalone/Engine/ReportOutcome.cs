namespace AgentFunctions.Standalone.Engine;

public enum ReportOutcome
{
    /// <summary>The outcome was applied to the task.</summary>
    Applied,

    /// <summary>The task ended or the role was canceled: the result was kept as discarded.</summary>
    Discarded,

    /// <summary>The attempt is no longer the current one (its lease expired and it was retried).</summary>
    Stale,
}
