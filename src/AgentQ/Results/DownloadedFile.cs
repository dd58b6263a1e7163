namespace AgentQ.Results;

/// <summary>A file <c>agentq result --out</c> wrote: its path relative to the task and to DIR, and its size.</summary>
public sealed record DownloadedFile(string Path, long Length);
