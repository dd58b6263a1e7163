namespace AgentFunctions.Core.Status;

/// <summary>Where to go next for a task.</summary>
public sealed record TaskLinks(string Self, string Result, string Artifacts, string Approve, string Reject, string Cancel, string StatusQuery);
