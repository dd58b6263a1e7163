namespace AgentFunctions.Core.History;

/// <summary>The kinds of event a task history lists.</summary>
public static class TaskHistoryTypes
{
    public const string Submitted = "submitted";
    public const string AttemptStarted = "attempt_started";
    public const string AttemptEnded = "attempt_ended";
    public const string AttemptReturned = "attempt_returned";
    public const string Approval = "approval";
    public const string ApprovalTimeout = "approval_timeout";
    public const string Cancel = "cancel";
    public const string CircuitHeld = "circuit_held";
    public const string CircuitReleased = "circuit_released";
    public const string Deadline = "deadline";
    public const string Outcome = "outcome";

    /// <summary>Actors that are not people or workers.</summary>
    public const string EngineActor = "engine";
    public const string TimerActor = "timer";
    public const string CircuitBreakerActor = "circuit-breaker";
    public const string ApiActor = "api";
}
