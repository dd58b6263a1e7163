using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentQ.Cli;

namespace AgentQ.Config;

/// <summary>
/// Works out the server URL and key: flags, then <c>AGENTQ_URL</c>/<c>AGENTQ_KEY</c>, then the profile
/// (<c>--profile</c>, <c>AGENTQ_PROFILE</c> or the file's <c>defaultProfile</c>), then the default URL.
/// A profile's key is only ever sent to that profile's own URL, so pointing <c>--url</c> elsewhere never leaks it.
/// </summary>
public static class ConnectionResolver
{
    public const string DefaultUrl = "http://127.0.0.1:7071";
    public const string UrlVariable = "AGENTQ_URL";
    public const string KeyVariable = "AGENTQ_KEY";
    public const string ProfileVariable = "AGENTQ_PROFILE";

    /// <summary>The config file under <paramref name="homeDirectory"/>.</summary>
    public static string ConfigPath(string homeDirectory) => Path.Combine(homeDirectory, ".agentq", "config.json");

    /// <summary>Resolves the connection; warnings (a config file others can read) go to <paramref name="stderr"/>.</summary>
    public static ConnectionSettings Resolve(ConnectionOverrides overrides, ICliEnvironment environment, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stderr);

        var url = NonEmpty(overrides.Url) ?? NonEmpty(environment.GetVariable(UrlVariable));
        var key = NonEmpty(overrides.Key) ?? (overrides.SkipEnvironmentKey ? null : NonEmpty(environment.GetVariable(KeyVariable)));
        var requestedProfile = NonEmpty(overrides.Profile) ?? NonEmpty(environment.GetVariable(ProfileVariable));

        string? profileName = null;
        if (requestedProfile is not null || url is null || key is null)
        {
            var path = ConfigPath(environment.HomeDirectory);
            var file = Load(path, stderr, required: requestedProfile is not null);
            profileName = requestedProfile ?? NonEmpty(file?.DefaultProfile);
            if (profileName is not null)
            {
                if (file is null || !file.Profiles.TryGetValue(profileName, out var profile))
                {
                    var known = file is { Profiles.Count: > 0 } ? $" (profiles: {string.Join(", ", file.Profiles.Keys.Order(StringComparer.Ordinal))})" : string.Empty;
                    throw CliException.Usage($"profile '{profileName}' is not in {path}{known}");
                }

                var profileUrl = NonEmpty(profile.Url) ?? DefaultUrl;
                // The key belongs to the profile's server: never send it to a URL given elsewhere.
                if (key is null && (url is null || SameOrigin(url, profileUrl)))
                {
                    key = NonEmpty(profile.Key);
                }

                url ??= profileUrl;
            }
        }

        return new ConnectionSettings(ParseUrl(url ?? DefaultUrl), key, profileName);
    }

    private static CliConfigFile? Load(string path, TextWriter stderr, bool required)
    {
        if (!File.Exists(path))
        {
            return required ? throw CliException.Usage($"no config file at {path}: profiles live there") : null;
        }

        WarnIfReadableByOthers(path, stderr);
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<CliConfigFile>(stream, CoreJson.Options)
                ?? throw CliException.Usage($"{path} is empty; expected {{ \"profiles\": {{ ... }} }}");
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"{path} is not valid: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Error, $"cannot read {path}: {ex.Message}");
        }
    }

    /// <summary>Keys in a file others can read are keys others have.</summary>
    private static void WarnIfReadableByOthers(string path, TextWriter stderr)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
        {
            stderr.WriteLine($"agentq: warning: {path} is readable by other users; run 'chmod 600 {path}'");
        }
    }

    private static Uri ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"'{url}' is not an http:// or https:// URL (from --url, {UrlVariable} or the profile)");
        }

        return uri;
    }

    private static bool SameOrigin(string left, string right) =>
        Uri.TryCreate(left, UriKind.Absolute, out var a)
        && Uri.TryCreate(right, UriKind.Absolute, out var b)
        && Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
