using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Orchestration;

/// <summary>
/// What a successful attempt produced: the stored result's references, and whether the agent asked for
/// a human to approve it. Failures are exceptions; the orchestrator hands them to the decider, which schedules
/// the next attempt (never after a permanent failure).
/// </summary>
public sealed record RoleAttemptOutcome(RoleResult Result, bool NeedsApproval);
