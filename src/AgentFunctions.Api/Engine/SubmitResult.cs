namespace AgentFunctions.Api.Engine;

/// <summary>What happened to a submit, and the task as it is now when the engine has it at hand.</summary>
public sealed record SubmitResult(SubmitOutcome Outcome, TaskSnapshot? Task);
