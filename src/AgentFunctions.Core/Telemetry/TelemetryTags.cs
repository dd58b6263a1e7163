namespace AgentFunctions.Core.Telemetry;

/// <summary>Attribute names of the product's spans and metrics.</summary>
public static class TelemetryTags
{
    public const string TaskId = "agentfunctions.task.id";
    public const string Role = "agentfunctions.role";
    public const string Attempt = "agentfunctions.attempt";

    /// <summary>succeeded, needs_approval or failed (<see cref="AttemptOutcomes"/>).</summary>
    public const string Outcome = "agentfunctions.attempt.outcome";

    /// <summary>transient or permanent, on a failed attempt.</summary>
    public const string FailureKind = "agentfunctions.failure.kind";

    public const string Runner = "agentfunctions.runner";
    public const string LeaseId = "agentfunctions.lease.id";
    public const string WorkerId = "agentfunctions.worker.id";
    public const string Decision = "agentfunctions.approval.decision";
    public const string DecidedBy = "agentfunctions.approval.by";
    public const string ApprovalKind = "agentfunctions.approval.kind";
    public const string DeadLetterId = "agentfunctions.dead_letter.id";
    public const string Engine = "agentfunctions.engine";
    public const string BatchOperations = "agentfunctions.journal.operations";
    public const string BatchRows = "agentfunctions.journal.rows";

}
