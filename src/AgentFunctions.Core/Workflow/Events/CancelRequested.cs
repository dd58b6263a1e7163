namespace AgentFunctions.Core.Workflow.Events;

/// <summary>The <c>cancel</c> external event.</summary>
public sealed record CancelRequested(string? By, string? Reason) : WorkflowEvent;
