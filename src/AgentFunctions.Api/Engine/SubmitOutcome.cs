namespace AgentFunctions.Api.Engine;

public enum SubmitOutcome
{
    /// <summary>A new task was started (202).</summary>
    Created,

    /// <summary>The same id with the same spec exists (200).</summary>
    Identical,

    /// <summary>The same id with a different spec exists (409).</summary>
    Conflict,
}
