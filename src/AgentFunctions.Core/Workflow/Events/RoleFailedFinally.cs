using AgentFunctions.Core.Retries;

namespace AgentFunctions.Core.Workflow.Events;

/// <summary>
/// The engine ran the role's attempts itself (the Functions app's remote-role sub-orchestration) and gave up
/// after <see cref="Attempts"/> attempts; the role is dead-lettered.
/// </summary>
public sealed record RoleFailedFinally(string Role, int Attempts, IReadOnlyList<AttemptFailure> Failures) : WorkflowEvent;
