using System.Globalization;
using AgentFunctions.Core.Runners;

namespace AgentFunctions.Standalone.Engine;

/// <summary>
/// The process groups of running command attempts, one file each under <c>&lt;data&gt;/processes</c>, named by the
/// group's id and holding the boot id and the leader's start time. The file is written as the program starts and
/// removed once it and its group are gone, so after a crash the files left name exactly the groups that may still
/// run, and recovery kills those before any attempt runs again. A file is enough, and needs no fsync: the record only
/// has to outlive the server's process, not the machine (after a reboot the boot id differs and nothing is left to
/// kill); and it keeps the start of every attempt off the journal.
/// </summary>
public sealed class ProcessGroupFiles(string directory) : IProcessGroupLedger
{
    private const string Extension = ".group";

    public string Directory { get; } = directory;

    public void Opened(ProcessGroupRecord group)
    {
        ArgumentNullException.ThrowIfNull(group);
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(PathOf(group.ProcessGroupId), string.Create(CultureInfo.InvariantCulture, $"{group.BootId} {group.StartTicks}\n"));
    }

    public void Closed(ProcessGroupRecord group)
    {
        ArgumentNullException.ThrowIfNull(group);
        try
        {
            File.Delete(PathOf(group.ProcessGroupId));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The group is already gone; a stale record only makes the next start look for it in vain.
        }
    }

    /// <summary>
    /// At start, before any attempt runs: kills every recorded group that still runs (<see cref="ProcessGroups.KillLeftover"/>)
    /// and removes all records. Returns how many groups were killed and how many records there were.
    /// </summary>
    public (int Killed, int Records) KillLeftovers()
    {
        var records = Records();
        var killed = 0;
        foreach (var (file, group) in records)
        {
            killed += group is not null && ProcessGroups.KillLeftover(group) ? 1 : 0;
            File.Delete(file);
        }

        return (killed, records.Count);
    }

    /// <summary>The records a crash left and, of those, the groups that still run; changes nothing (for <c>check</c>).</summary>
    public (int Records, int Running) Inspect()
    {
        var records = Records();
        return (records.Count, records.Count(record => record.Group is { } group && ProcessGroups.StillRuns(group)));
    }

    /// <summary>Every record file with what it says (null for a damaged one); materialized, so callers may delete as they go.</summary>
    private List<(string File, ProcessGroupRecord? Group)> Records() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "*" + Extension).Select(file => (file, Parse(file))).ToList()
            : [];

    private string PathOf(int processGroupId) => Path.Combine(Directory, processGroupId.ToString(CultureInfo.InvariantCulture) + Extension);

    /// <summary>A damaged record (a crash while it was written) is skipped: its program died with the server.</summary>
    private static ProcessGroupRecord? Parse(string file)
    {
        var parts = File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new ProcessGroupRecord(id, start, parts[0])
            : null;
    }
}
