using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Api.Engine;

/// <summary>A page of tasks, newest first, optionally filtered by state and role.</summary>
public sealed record TaskQuery(AgentTaskStatus? State, string? Role, int Top, string? ContinuationToken);
