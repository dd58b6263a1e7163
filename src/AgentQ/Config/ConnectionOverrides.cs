namespace AgentQ.Config;

/// <summary>The connection flags given on the command line (null when absent).</summary>
public sealed record ConnectionOverrides(string? Url, string? Key, string? Profile);
