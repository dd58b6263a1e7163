using AgentFunctions.Core.Retries;

namespace AgentFunctions.Core.Workflow.Events;

/// <summary>One attempt failed; the decider retries it on the schedule or dead-letters the role.</summary>
public sealed record RoleAttemptFailed(string Role, int Attempt, FailureKind Kind, string Message) : WorkflowEvent;
