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

    /// <summary>How long in-flight local attempts may finish on shutdown before they are released (uncounted).</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most state changes committed in one SQLite transaction.</summary>
    public int MaxBatchSize { get; init; } = 1024;

    /// <summary>
    /// fsync every artifact file and its folder as it is written. Off by default: files are made durable
    /// in one filesystem checkpoint before their outbox rows go, which is much cheaper; on by default
    /// where no such checkpoint exists (Windows).
    /// </summary>
    public bool FlushArtifacts { get; init; } = !FileSystemCheckpoint.IsSupported;

    /// <summary>
    /// Request body bytes the server holds at once, all requests together; past it a request is answered 503 with
    /// Retry-After. One request larger than this still gets in when no other body is in flight.
    /// </summary>
    public long MaxInFlightBodyBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Free space the data directory's filesystem must keep: below it new work is refused (507) and health is unhealthy.</summary>
    public long MinFreeBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Run <c>PRAGMA quick_check</c> over the whole database at every start (it reads every page: seconds per GB, longer
    /// from a cold disk). Off, the start still refuses a file shorter than its header says.
    /// </summary>
    public bool QuickCheckAtStart { get; init; } = true;

    /// <summary>Start even when artifacts exist that the database knows nothing of (the database was replaced or lost).</summary>
    public bool AdoptOrphanArtifacts { get; init; }

    /// <summary>
    /// Also copy every artifact (kept in the database) to a file in the layout under <c>artifacts/</c>, as earlier
    /// versions stored them, for people and tools that read the files. The copy runs after the commit, off the
    /// task path; the database stays the source of every read.
    /// </summary>
    public bool MirrorArtifactsToFiles { get; init; }

    public string DatabasePath => Path.Combine(DataDirectory, "agentfunctions.db");

    public string ArtifactsPath => Path.Combine(DataDirectory, "artifacts");

    public string DeadLettersPath => Path.Combine(DataDirectory, "dead-letter");

    /// <summary>Scratch folders of running attempts (a command's <c>$AGENTQ_ARTIFACTS_DIR</c>); emptied at every start.</summary>
    public string TemporaryPath => Path.Combine(DataDirectory, "tmp");

    /// <summary>One small file per running command attempt's process group, for recovery to kill after a crash.</summary>
    public string ProcessGroupsPath => Path.Combine(DataDirectory, "processes");

    public static StandaloneOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var reader = new ConfigurationReader();
        var defaults = new StandaloneOptions();

        // ShutdownGraceSeconds is the older spelling of ShutdownGrace; ShutdownGrace wins when both are given.
        var graceSeconds = reader.Number(section, "ShutdownGraceSeconds", (int)defaults.ShutdownGrace.TotalSeconds, 0, 3600);
        var options = defaults with
        {
            DataDirectory = reader.String(section, "DataDirectory") ?? defaults.DataDirectory,
            ShutdownGrace = reader.TimeSpan(section, "ShutdownGrace", TimeSpan.FromSeconds(graceSeconds), TimeSpan.Zero, TimeSpan.FromHours(1)),
            MaxBatchSize = reader.Number(section, "MaxBatchSize", defaults.MaxBatchSize, 1, 100_000),
            FlushArtifacts = reader.Bool(section, "FlushArtifacts", defaults.FlushArtifacts),
            MaxInFlightBodyBytes = reader.Number(section, "MaxInFlightBodyBytes", defaults.MaxInFlightBodyBytes, 1024 * 1024, long.MaxValue),
            MinFreeBytes = reader.Number(section, "MinFreeBytes", defaults.MinFreeBytes, 0, long.MaxValue),
            QuickCheckAtStart = reader.Bool(section, "QuickCheckAtStart", defaults.QuickCheckAtStart),
            AdoptOrphanArtifacts = reader.Bool(section, "AdoptOrphanArtifacts", defaults.AdoptOrphanArtifacts),
            MirrorArtifactsToFiles = reader.Bool(section, "MirrorArtifactsToFiles", defaults.MirrorArtifactsToFiles),
        };
        reader.ThrowIfAny();
        return options;
    }
}
