namespace AgentFunctions.Core.Workflow.Commands;

/// <summary>Arm the task's TTL timer.</summary>
public sealed record ScheduleDeadline(DateTimeOffset DeadlineAt) : WorkflowCommand;
