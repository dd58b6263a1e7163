using AgentFunctions.Core.Status;

namespace AgentFunctions.Orchestration;

/// <summary>Input of the <c>WriteTaskResult</c> activity: <c>tasks/&lt;id&gt;/result.json</c>.</summary>
public sealed record TaskResultRequest(string TaskId, TaskResultDocument Result);
