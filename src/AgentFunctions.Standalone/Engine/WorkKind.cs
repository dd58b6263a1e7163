namespace AgentFunctions.Standalone.Engine;

/// <summary>Kinds of scheduled work a task can have (at most one of each per role, or per task).</summary>
public enum WorkKind
{
    /// <summary>A role attempt, due at a time, possibly leased by a remote worker.</summary>
    Attempt = 0,

    /// <summary>The task's TTL deadline.</summary>
    Deadline = 1,

    /// <summary>An approval timeout (the task gate when the role is empty).</summary>
    ApprovalTimeout = 2,
}
