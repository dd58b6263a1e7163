using AgentFunctions.Core.Workflow.Commands;

namespace AgentFunctions.Orchestration;

/// <summary>An inline attempt the circuit breaker held, waiting for the breaker's word (<c>AdmitAttempt</c>) before it starts.</summary>
internal sealed record PendingAdmission(RunRoleAttempt Command, Task<AttemptAdmission> Admission);
