using System.Text.Json.Serialization;

namespace AgentFunctions.Core.Workflow.Events;

/// <summary>Something that happened to a task, as an engine reports it to the decider.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "event")]
[JsonDerivedType(typeof(RoleAttemptStarted), "role_attempt_started")]
[JsonDerivedType(typeof(RoleAttemptReturned), "role_attempt_returned")]
[JsonDerivedType(typeof(RoleAttemptFailed), "role_attempt_failed")]
[JsonDerivedType(typeof(RoleFailedFinally), "role_failed_finally")]
[JsonDerivedType(typeof(RoleSucceeded), "role_succeeded")]
[JsonDerivedType(typeof(RoleNeedsApproval), "role_needs_approval")]
[JsonDerivedType(typeof(RoleProgressReported), "role_progress_reported")]
[JsonDerivedType(typeof(ApprovalDecided), "approval_decided")]
[JsonDerivedType(typeof(CancelRequested), "cancel_requested")]
[JsonDerivedType(typeof(DeadlineReached), "deadline_reached")]
[JsonDerivedType(typeof(ApprovalTimedOut), "approval_timed_out")]
[JsonDerivedType(typeof(RoleCircuitHeld), "role_circuit_held")]
[JsonDerivedType(typeof(RoleCircuitReleased), "role_circuit_released")]
public abstract record WorkflowEvent;
