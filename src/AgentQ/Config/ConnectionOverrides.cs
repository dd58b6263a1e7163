namespace AgentQ.Config;

/// <summary>The connection flags given on the command line (null when absent).</summary>
public sealed record ConnectionOverrides(string? Url, string? Key, string? Profile)
{
    /// <summary>Leave AGENTQ_KEY out (it belongs to an AGENTQ_URL other than <see cref="Url"/>).</summary>
    public bool SkipEnvironmentKey { get; init; }
}
