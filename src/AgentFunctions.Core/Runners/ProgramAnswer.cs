namespace AgentFunctions.Core.Runners;

/// <summary>The agent result read from a program that exited 0, with what had to be left out of it.</summary>
public sealed record ProgramAnswer(AgentResult Result, IReadOnlyList<SkippedArtifact> SkippedArtifacts, bool OutputTruncated);
