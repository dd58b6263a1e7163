using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Standalone.Engine;

/// <summary>An attempt outcome a batch counts for its role; <see cref="Duration"/> is null when the latency is unknown (a lease granted before a restart).</summary>
public sealed record AttemptCount(string Role, bool Succeeded, TimeSpan? Duration, AgentUsage? Usage);
