using System.Net;
using AgentFunctions.Core.Configuration;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>The addresses the server listens on, and the rule that keyless servers stay on loopback.</summary>
public static class ListenAddresses
{
    public const string Default = "http://127.0.0.1:7071";

    /// <summary>Throws when keys are off and an address other than loopback is requested.</summary>
    public static void RequireLoopbackWithoutKeys(string urls, bool keysConfigured)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (keysConfigured)
        {
            return;
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IsLoopback(url))
            {
                throw new InvalidConfigurationException(
                    $"Auth:Keys: no keys are configured, so the server listens on loopback only; configure Auth:Keys:0:Name, :Key and :Scopes to listen on {url}");
            }
        }
    }

    private static bool IsLoopback(string url)
    {
        var host = url;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        host = host.Split('/')[0];
        if (host.StartsWith('['))
        {
            host = host[1..host.IndexOf(']', StringComparison.Ordinal)];
        }
        else if (host.LastIndexOf(':') is var colon and > 0)
        {
            host = host[..colon];
        }

        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
