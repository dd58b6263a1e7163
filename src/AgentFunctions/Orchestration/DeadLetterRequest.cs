using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Orchestration;

/// <summary>Input of the <c>WriteDeadLetter</c> activity, from the decider's <c>WriteDeadLetter</c> command.</summary>
public sealed record DeadLetterRequest(
    string Id,
    string TaskId,
    string Role,
    int Attempts,
    IReadOnlyList<AttemptFailure> Failures,
    string Reason,
    DateTimeOffset DeadLetteredAt,
    TaskSpec Spec)
{
    /// <summary>The task's <c>traceparent</c>, kept on the record and the parent of the dead-lettering's span.</summary>
    public string? TraceParent { get; init; }
}
