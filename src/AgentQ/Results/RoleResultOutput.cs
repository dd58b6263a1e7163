using AgentFunctions.Core.Status;

namespace AgentQ.Results;

/// <summary>What <c>agentq result ID --role R --json</c> prints: the role's part of the result and its markdown.</summary>
public sealed record RoleResultOutput(string TaskId, RoleResultView Role, string? Markdown);
