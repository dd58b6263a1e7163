namespace AgentQ.Config;

/// <summary>Where agentq sends requests and with which key; <see cref="Profile"/> names the profile used, if any.</summary>
public sealed record ConnectionSettings(Uri BaseUrl, string? Key, string? Profile);
