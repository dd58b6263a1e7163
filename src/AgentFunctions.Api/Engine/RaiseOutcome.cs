namespace AgentFunctions.Api.Engine;

/// <summary>What became of an approval or cancel event handed to an engine.</summary>
public enum RaiseOutcome
{
    /// <summary>The task took the event (the Standalone engine knows at once).</summary>
    Applied,

    /// <summary>Queued for the task, which takes it when it next runs (Durable events are asynchronous).</summary>
    Accepted,

    /// <summary>The task was not waiting for it (decided or ended meanwhile): nothing changed.</summary>
    Ignored,

    /// <summary>There is no such task.</summary>
    NotFound,
}
