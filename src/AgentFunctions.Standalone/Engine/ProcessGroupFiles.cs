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
        if (!System.IO.Directory.Exists(Directory))
        {
            return (0, 0);
        }

        var (killed, records) = (0, 0);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            records++;
            if (Parse(file) is { } group && ProcessGroups.KillLeftover(group))
            {
                killed++;
            }

            File.Delete(file);
        }

        return (killed, records);
    }

    /// <summary>The records a crash left and, of those, the groups that still run; changes nothing (for <c>check</c>).</summary>
    public (int Records, int Running) Inspect()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return (0, 0);
        }

        var (records, running) = (0, 0);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            records++;
            if (Parse(file) is { } group && ProcessGroups.StillRuns(group))
            {
                running++;
            }
        }

        return (records, running);
    }

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
