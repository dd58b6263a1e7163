namespace AgentFunctions.Core.Workflow.Events;

/// <summary>The task's TTL timer fired.</summary>
public sealed record DeadlineReached : WorkflowEvent;
