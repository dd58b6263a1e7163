namespace AgentFunctions.Core.Workflow.Commands;

/// <summary>Store <c>tasks/&lt;id&gt;/result.json</c> from the final state.</summary>
public sealed record WriteTaskResult(AgentTaskStatus Status) : WorkflowCommand;
