using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>How a finished task ended.</summary>
public sealed record OutcomeView(AgentTaskStatus State, string Reason, string? By, DateTimeOffset At, string? ResultRef);
