namespace AgentFunctions.Api.Engine;

public enum PurgeOutcome
{
    Purged,
    NotFound,

    /// <summary>The task has not finished; cancel it first.</summary>
    StillRunning,
}
