using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Api.Engine;

/// <summary>A page of tasks, newest first, optionally filtered by state, role and task type (exact, case-sensitive).</summary>
public sealed record TaskQuery(AgentTaskStatus? State, string? Role, string? Type, int Top, string? ContinuationToken);
