namespace AgentFunctions.Standalone.Engine;

public static class OutboxKinds
{
    /// <summary>Write spec.json and context.md of a new task.</summary>
    public const string Spec = "spec";

    /// <summary>Write tasks/&lt;id&gt;/result.json.</summary>
    public const string Result = "result";

    /// <summary>Create a dead-letter record.</summary>
    public const string DeadLetter = "dead_letter";

    /// <summary>Write an accepted attempt's result and artifacts.</summary>
    public const string AttemptResult = "attempt_result";

    /// <summary>Keep the result of an attempt whose role was canceled in the discarded folder.</summary>
    public const string DiscardedResult = "discarded_result";

    /// <summary>Mark a dead letter as replayed by a new task.</summary>
    public const string LinkReplay = "link_replay";

    /// <summary>Delete a purged task's artifacts.</summary>
    public const string PurgeArtifacts = "purge_artifacts";
}
