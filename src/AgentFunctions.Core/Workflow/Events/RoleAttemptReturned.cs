namespace AgentFunctions.Core.Workflow.Events;

/// <summary>
/// The worker that leased attempt <see cref="Attempt"/> handed it back unfinished (it is shutting down): the attempt
/// is not counted and waits for the next worker under the same number, so the role is no longer running.
/// </summary>
public sealed record RoleAttemptReturned(string Role, int Attempt) : WorkflowEvent;
