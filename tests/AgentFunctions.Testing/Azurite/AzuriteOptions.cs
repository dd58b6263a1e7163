namespace AgentFunctions.Testing.Azurite;

/// <summary>Where Azurite comes from and how long the fixture waits for it.</summary>
public sealed record AzuriteOptions
{
    /// <summary>
    /// The npm package version. 3.35.0 is the newest release that runs on Node 20 (3.36 and later ask for Node 21+).
    /// </summary>
    public const string PinnedVersion = "3.35.0";

    public string Version { get; init; } = PinnedVersion;

    /// <summary>The folder that holds one installed copy per version (e.g. ~/.cache/agentfunctions/azurite).</summary>
    public string CacheDirectory { get; init; } = DefaultCacheDirectory();

    /// <summary>The npm executable; a name is looked up on PATH.</summary>
    public string NpmCommand { get; init; } = "npm";

    /// <summary>The Node.js executable that runs Azurite; a name is looked up on PATH.</summary>
    public string NodeCommand { get; init; } = "node";

    public TimeSpan InstallTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// AGENTFUNCTIONS_CACHE if set, else $XDG_CACHE_HOME/agentfunctions, else ~/.cache/agentfunctions; Azurite goes
    /// under azurite/ there, so a second run (and the other test projects) reuse the install.
    /// </summary>
    public static string DefaultCacheDirectory()
    {
        var root = Environment.GetEnvironmentVariable("AGENTFUNCTIONS_CACHE");
        if (string.IsNullOrWhiteSpace(root))
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var cache = string.IsNullOrWhiteSpace(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            root = Path.Combine(cache, "agentfunctions");
        }

        return Path.Combine(root, "azurite");
    }
}
