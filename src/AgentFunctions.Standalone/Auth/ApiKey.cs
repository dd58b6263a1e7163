namespace AgentFunctions.Standalone.Auth;

/// <summary>A configured key (<c>Auth:Keys:&lt;i&gt;</c>) and the scopes it grants.</summary>
public sealed record ApiKey(string Name, string Key, IReadOnlySet<string> Scopes);
