using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Contracts;

/// <summary>
/// The body of a Durable raiseEvent: for <c>approval</c> a decision (and who, why, which role), for <c>cancel</c> who and
/// why. It describes the body for the OpenAPI document; the handler reads it field by field to name what is wrong.
/// </summary>
public sealed record DurableEventRequest
{
    /// <summary><c>approve</c> or <c>reject</c>; required for <c>approval</c>.</summary>
    public ApprovalDecision? Decision { get; init; }

    public string? By { get; init; }

    public string? Note { get; init; }

    public string? Reason { get; init; }

    /// <summary>The role whose gate is decided; the task's own gate (or the only one open) when absent.</summary>
    public string? Role { get; init; }
}
