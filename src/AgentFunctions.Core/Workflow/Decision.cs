using AgentFunctions.Core.Workflow.Commands;

namespace AgentFunctions.Core.Workflow;

/// <summary>The decider's answer: the new state and what to do. <see cref="Applied"/> is false for ignored events.</summary>
public sealed record Decision(TaskState State, IReadOnlyList<WorkflowCommand> Commands, bool Applied)
{
    public static Decision Ignored(TaskState state) => new(state, [], false);
}
