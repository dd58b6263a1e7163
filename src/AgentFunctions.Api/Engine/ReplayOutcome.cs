namespace AgentFunctions.Api.Engine;

public enum ReplayOutcome
{
    Replayed,
    NotFound,

    /// <summary>Already replayed, or its role is no longer configured.</summary>
    Conflict,
}
