namespace AgentFunctions.Standalone.Tests.Support;

internal static class Settings
{
    /// <summary>Merges settings dictionaries; later ones win.</summary>
    public static Dictionary<string, string> Of(params IDictionary<string, string>[] parts)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (key, value) in part)
            {
                merged[key] = value;
            }
        }

        return merged;
    }

    public static Dictionary<string, string> Echo(params string[] roles) =>
        roles.ToDictionary(r => $"Roles:{r}:Runner", _ => "echo");

    /// <summary>Fast retries so backoff tests take a fraction of a second per attempt.</summary>
    public static Dictionary<string, string> Retry(string role, int maxAttempts, string firstDelay = "00:00:00.200", double coefficient = 2, string maxDelay = "00:00:05") => new()
    {
        [$"Roles:{role}:Retry:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Roles:{role}:Retry:FirstDelay"] = firstDelay,
        [$"Roles:{role}:Retry:BackoffCoefficient"] = coefficient.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Roles:{role}:Retry:MaxDelay"] = maxDelay,
    };
}
