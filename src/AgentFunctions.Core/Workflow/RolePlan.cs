using AgentFunctions.Core.Retries;

namespace AgentFunctions.Core.Workflow;

/// <summary>What the decider needs to know of a role: its effective schedule and gate.</summary>
public sealed record RolePlan(string Name, RetrySchedule Schedule, bool RequiresApproval);
