namespace AgentFunctions.Core.Runners;

/// <summary>An earlier stage's result as an agent receives it; <see cref="Content"/> when it was loaded.</summary>
public sealed record AttemptInput(string Role, int Stage, string? Summary, string? ResultRef, string? Content);
