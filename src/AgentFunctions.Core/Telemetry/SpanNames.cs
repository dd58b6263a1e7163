namespace AgentFunctions.Core.Telemetry;

/// <summary>The names of the product's spans (low-cardinality; what varies is in attributes, see <see cref="TelemetryTags"/>).</summary>
public static class SpanNames
{
    /// <summary>POST /tasks: the span whose context the task keeps; its attempts are its children.</summary>
    public const string Submit = "submit";

    /// <summary>A dead letter replayed as a new task (the new task's first span).</summary>
    public const string Replay = "replay";

    /// <summary>A task taken from the intake queue (Functions).</summary>
    public const string Intake = "intake";

    /// <summary>One attempt of one role, from its start to its outcome.</summary>
    public const string Attempt = "attempt";

    /// <summary>An in-process runner at work on an attempt: <c>runner command</c>, <c>runner http</c>, ...</summary>
    public const string RunnerPrefix = "runner ";

    public const string Lease = "lease";

    public const string Heartbeat = "heartbeat";

    public const string Complete = "complete";

    public const string Fail = "fail";

    public const string Release = "release";

    /// <summary>A remote worker's own span around its work on an attempt, reported with its result.</summary>
    public const string Worker = "worker";

    /// <summary>A task or role waiting for a person's decision, from the gate opening to the decision.</summary>
    public const string ApprovalWait = "approval wait";

    public const string DeadLetter = "dead-letter";

    /// <summary>The Standalone server writing one batch of journal operations in one SQLite transaction.</summary>
    public const string JournalCommit = "journal commit";
}
