using AgentFunctions.Core.Retries;

namespace AgentFunctions.Core.Workflow.Commands;

/// <summary>Store the dead-letter record of a role that will not be retried.</summary>
public sealed record WriteDeadLetter(
    string DeadLetterId,
    string Role,
    int Attempts,
    IReadOnlyList<AttemptFailure> Failures,
    string Reason) : WorkflowCommand;
