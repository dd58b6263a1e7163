namespace AgentFunctions.Core.Runners;

/// <summary>
/// Where the command runner makes each attempt's <c>$AGENTQ_ARTIFACTS_DIR</c>: a host that owns a data directory puts
/// them there, so the folders a crash leaves behind can be found and removed at the next start. Without it, the
/// system's temp folder.
/// </summary>
public sealed record RunnerScratch(string Root)
{
    /// <summary>The prefix of every attempt's scratch folder.</summary>
    public const string FolderPrefix = "agentq-artifacts-";

    /// <summary>A new, empty folder for one attempt.</summary>
    public DirectoryInfo CreateFolder()
    {
        Directory.CreateDirectory(Root);
        return Directory.CreateDirectory(Path.Combine(Root, FolderPrefix + Guid.NewGuid().ToString("N")));
    }
}
