namespace AgentFunctions.Core.Workflow.Commands;

/// <summary>The task ended: cancel its timers and waits, release what it holds.</summary>
public sealed record FinishTask(AgentTaskStatus Status) : WorkflowCommand;
