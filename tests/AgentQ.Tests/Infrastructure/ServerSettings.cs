using System.Globalization;

namespace AgentQ.Tests.Infrastructure;

/// <summary>Role configuration for the real server, as <c>Roles:&lt;role&gt;:...</c> keys.</summary>
internal static class ServerSettings
{
    /// <summary>Remote roles: attempts are served by <c>agentq worker run</c>.</summary>
    public static Dictionary<string, string> Remote(params string[] roles) =>
        roles.ToDictionary(role => $"Roles:{role}:Runner", _ => "remote");

    /// <summary>A remote role that retries after 0.2 s, 0.4 s, ... (capped at 1 s) and dead-letters after <paramref name="maxAttempts"/>.</summary>
    public static Dictionary<string, string> FastRetry(string role, int maxAttempts) => new(Remote(role))
    {
        [$"Roles:{role}:Retry:MaxAttempts"] = maxAttempts.ToString(CultureInfo.InvariantCulture),
        [$"Roles:{role}:Retry:FirstDelay"] = "00:00:00.200",
        [$"Roles:{role}:Retry:MaxDelay"] = "00:00:01",
    };
}
