namespace AgentFunctions.Core.Contracts;

/// <summary>The answer to an approve, reject or cancel (202): which task took which action, and where to follow it.</summary>
public sealed record DecisionAccepted(string Id, string Action, bool Accepted, string StatusQueryGetUri, string TaskGetUri);
