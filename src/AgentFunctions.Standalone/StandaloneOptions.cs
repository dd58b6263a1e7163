using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Storage;
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

    /// <summary>
    /// fsync every artifact file and its folder as it is written. Off by default: files are made durable
    /// in one filesystem checkpoint before their outbox rows go, which is much cheaper; on by default
    /// where no such checkpoint exists (Windows).
    /// </summary>
    public bool FlushArtifacts { get; init; } = !FileSystemCheckpoint.IsSupported;

    public string DatabasePath => Path.Combine(DataDirectory, "agentfunctions.db");

    public string ArtifactsPath => Path.Combine(DataDirectory, "artifacts");

    public string DeadLettersPath => Path.Combine(DataDirectory, "dead-letter");

    public static StandaloneOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var reader = new ConfigurationReader();
        var defaults = new StandaloneOptions();
        var options = defaults with
        {
            DataDirectory = reader.String(section, "DataDirectory") ?? defaults.DataDirectory,
            ShutdownGrace = TimeSpan.FromSeconds(reader.Number(section, "ShutdownGraceSeconds", (int)defaults.ShutdownGrace.TotalSeconds, 0, 3600)),
            MaxBatchSize = reader.Number(section, "MaxBatchSize", defaults.MaxBatchSize, 1, 100_000),
            FlushArtifacts = reader.Bool(section, "FlushArtifacts", defaults.FlushArtifacts),
        };
        reader.ThrowIfAny();
        return options;
    }
}
