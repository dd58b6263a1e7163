namespace AgentFunctions.Core.Workflow.Commands;

/// <summary>Work the decider asks its engine to carry out.</summary>
public abstract record WorkflowCommand;
