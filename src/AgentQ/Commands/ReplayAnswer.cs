using AgentFunctions.Core.Contracts;

namespace AgentQ.Commands;

/// <summary>The answer to <c>POST /api/deadletters/{id}/replay</c>: <c>{ replayOf, taskId, task: management payload }</c>.</summary>
public sealed record ReplayAnswer(string ReplayOf, string TaskId, ManagementPayload? Task);
