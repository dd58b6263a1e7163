namespace AgentFunctions.Core.Workflow.Events;

/// <summary>
/// The role's circuit breaker holds attempt <see cref="Attempt"/> until <see cref="Until"/>: it waits and is not counted.
/// An engine that announced the attempt before it learned of the hold (the Functions app starts an inline attempt and
/// the activity is held) takes the start back with this event.
/// </summary>
public sealed record RoleCircuitHeld(string Role, int Attempt, DateTimeOffset Until) : WorkflowEvent;
