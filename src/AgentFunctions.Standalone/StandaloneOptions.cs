using AgentFunctions.Core.Roles;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Standalone;

/// <summary>Settings of the Standalone engine (<c>Standalone:*</c>).</summary>
public sealed record StandaloneOptions
{
    public const string SectionName = "Standalone";

    /// <summary>Where the SQLite database, artifacts and dead letters live.</summary>
    public string DataDirectory { get; init; } = "./.agentfunctions";

    /// <summary>How long in-flight attempts may finish on shutdown before they are released.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most state changes committed in one SQLite transaction.</summary>
    public int MaxBatchSize { get; init; } = 1024;

    /// <summary>fsync artifact files and their folders (power-loss durability for files, slower).</summary>
    public bool FlushArtifacts { get; init; }

    public string DatabasePath => Path.Combine(DataDirectory, "agentfunctions.db");

    public string ArtifactsPath => Path.Combine(DataDirectory, "artifacts");

    public string DeadLettersPath => Path.Combine(DataDirectory, "dead-letter");

    public static StandaloneOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var problems = new List<string>();
        var defaults = new StandaloneOptions();
        var options = defaults with
        {
            DataDirectory = string.IsNullOrWhiteSpace(section["DataDirectory"]) ? defaults.DataDirectory : section["DataDirectory"]!,
            ShutdownGrace = TimeSpan.FromSeconds(ReadInt(section, "ShutdownGraceSeconds", (int)defaults.ShutdownGrace.TotalSeconds, 0, 3600, problems)),
            MaxBatchSize = ReadInt(section, "MaxBatchSize", defaults.MaxBatchSize, 1, 100_000, problems),
            FlushArtifacts = ReadBool(section, "FlushArtifacts", defaults.FlushArtifacts, problems),
        };
        if (problems.Count > 0)
        {
            throw new InvalidConfigurationException(problems);
        }

        return options;
    }

    private static int ReadInt(IConfigurationSection section, string key, int fallback, int min, int max, List<string> problems)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            problems.Add($"{section.Path}:{key}: must be a whole number between {min} and {max} (got '{text}')");
            return fallback;
        }

        return value;
    }

    private static bool ReadBool(IConfigurationSection section, string key, bool fallback, List<string> problems)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (!bool.TryParse(text, out var value))
        {
            problems.Add($"{section.Path}:{key}: '{text}' is not true or false");
            return fallback;
        }

        return value;
    }
}
