namespace AgentFunctions.Core.Workflow;

/// <summary>An earlier stage's result handed to a later stage.</summary>
public sealed record StageInput(string Role, int Stage, string? Summary, string? ResultRef);
