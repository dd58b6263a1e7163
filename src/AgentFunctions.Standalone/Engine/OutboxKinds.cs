namespace AgentFunctions.Standalone.Engine;

public static class OutboxKinds
{
    // Spec, Result, AttemptResult and DiscardedResult are rows of databases from before schema version 3, when
    // artifacts were files: carried out at the next start, they store the artifacts as the engine does now.

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

    /// <summary>Delete a purged task's artifact files (from before, large ones, the mirror); its rows went in the purge's commit.</summary>
    public const string PurgeArtifacts = "purge_artifacts";

    /// <summary>Copy artifacts just stored in the database to files in the layout under artifacts/ (<c>Standalone:MirrorArtifactsToFiles</c>).</summary>
    public const string Mirror = "mirror";
}
