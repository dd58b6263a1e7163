namespace AgentQ.Results;

/// <summary>What <c>agentq result --out DIR --json</c> prints.</summary>
public sealed record DownloadSummary(string TaskId, string? Role, string State, string Out, IReadOnlyList<DownloadedFile> Files);
