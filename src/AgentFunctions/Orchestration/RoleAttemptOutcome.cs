using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Orchestration;

/// <summary>
/// What a successful attempt produced: the stored result's references, and whether the agent asked for
/// a human to approve it. Failures are exceptions (retried by the Durable retry policy unless permanent).
/// </summary>
public sealed record RoleAttemptOutcome(RoleResult Result, bool NeedsApproval);
