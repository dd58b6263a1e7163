namespace AgentFunctions.Api.Engine;

/// <summary>What happened to a submit, with the task as it is now.</summary>
public sealed record SubmitResult(SubmitOutcome Outcome, TaskSnapshot? Task);
