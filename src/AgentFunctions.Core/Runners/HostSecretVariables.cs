using System.Collections;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// The host's own credentials among its environment variables: the API keys (<c>Auth:Keys</c>), a role's
/// <c>ApiKey</c>, the storage and Application Insights connection strings and OTLP headers. A program a
/// <c>command</c> role runs inherits the host's environment (an agent CLI needs PATH, HOME and its own keys), but
/// never these: an agent could read the admin key and echo it into a result. (Not a boundary: a program running as
/// the host's user can still read the host's files and /proc; docs/configuration.md says so.)
/// </summary>
public static class HostSecretVariables
{
    private static readonly string[] ExactNames =
    [
        "AzureWebJobsStorage",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
        "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
    ];

    /// <summary>Whether the variable <paramref name="name"/> carries one of the host's credentials.</summary>
    public static bool IsSecret(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Configuration reads "__" in a variable's name as ":".
        var key = name.Replace("__", ":", StringComparison.Ordinal);
        if (ExactNames.Any(n => string.Equals(key, n, StringComparison.OrdinalIgnoreCase))
            || key.StartsWith("AzureWebJobsStorage:", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("Auth:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var parts = key.Split(':');
        return parts.Length == 3
            && string.Equals(parts[0], "Roles", StringComparison.OrdinalIgnoreCase)
            && string.Equals(parts[2], "ApiKey", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The names among <paramref name="environment"/> (the host's, by default) to leave out of a program's environment.</summary>
    public static IReadOnlyList<string> In(IDictionary? environment = null) =>
        (environment ?? Environment.GetEnvironmentVariables()).Keys.OfType<string>().Where(IsSecret).ToList();
}
