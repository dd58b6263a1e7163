namespace AgentFunctions.Core.Contracts;

/// <summary>The answer to <c>POST /api/deadletters/{id}/replay</c> (202): the dead letter, the new task and its management payload.</summary>
public sealed record ReplayAccepted(string ReplayOf, string TaskId, ManagementPayload Task);
