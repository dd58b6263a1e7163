using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Orchestration;

/// <summary>Input of the <c>DiscardResult</c> activity: a result that arrived after its role was canceled.</summary>
public sealed record DiscardRequest(string TaskId, string Role, int Attempt, RoleResult Result);
