using AgentFunctions.Core.Retries;

namespace AgentFunctions.Core.Workflow.Events;

/// <summary>
/// The engine retried the role itself (a Durable retry policy) and gave up after
/// <see cref="Attempts"/> attempts; the role is dead-lettered.
/// </summary>
public sealed record RoleFailedFinally(string Role, int Attempts, IReadOnlyList<AttemptFailure> Failures) : WorkflowEvent;
