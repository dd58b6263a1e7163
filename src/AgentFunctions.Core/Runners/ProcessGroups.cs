using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// Process groups on Linux. .NET cannot run code between fork and exec, so a program is put into a group of its own by
/// starting it through util-linux's <c>setsid</c> (a new session, hence a new group whose id is the program's pid) and
/// given a parent-death signal by <c>setpriv --pdeathsig KILL</c> (PR_SET_PDEATHSIG, kept across the exec). Both
/// programs exec in place, so the pid .NET sees is the program's. util-linux is an essential package on Debian, so
/// every Debian has them; where they are missing (other systems, other Unix flavours) programs start as plain children
/// and only the process tree is killed. Signals go through the C library's <c>kill</c>, resolved from the symbols the
/// process already has loaded.
/// </summary>
public static class ProcessGroups
{
    private const int SigKill = 9;

    private static readonly Lazy<KillFunction?> Kill = new(LoadKill);
    private static readonly Lazy<(string? SetSid, string? SetPriv)> Launchers = new(FindLaunchers);
    private static readonly Lazy<string?> CurrentBootId = new(() => ReadTrimmed("/proc/sys/kernel/random/boot_id"));

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int KillFunction(int pid, int signal);

    /// <summary>Programs can be started in a group of their own here (Linux with <c>setsid</c>).</summary>
    public static bool Supported => Launchers.Value.SetSid is not null && Kill.Value is not null && CurrentBootId.Value is not null;

    /// <summary>Programs can be made to die with the host here (Linux with a <c>setpriv</c> that knows <c>--pdeathsig</c>).</summary>
    public static bool DieWithParentSupported => Launchers.Value.SetPriv is not null;

    /// <summary>This boot's id, or null where the system does not tell.</summary>
    public static string? BootId => CurrentBootId.Value;

    /// <summary>
    /// The argv that starts <paramref name="argv"/> (its program already resolved to a path) in a session and group
    /// of its own, and with a parent-death signal where <c>setpriv</c> allows.
    /// </summary>
    internal static List<string> WrapForOwnGroup(IReadOnlyList<string> argv)
    {
        var (setsid, setpriv) = Launchers.Value;
        var wrapped = new List<string>(argv.Count + 6);
        if (setpriv is not null)
        {
            wrapped.AddRange([setpriv, "--pdeathsig", "KILL", "--"]);
        }

        wrapped.AddRange([setsid!, "--"]);
        wrapped.AddRange(argv);
        return wrapped;
    }

    /// <summary>The record of the group led by <paramref name="processId"/>, or null when its start time cannot be read (it already ended).</summary>
    public static ProcessGroupRecord? RecordOf(int processId) =>
        BootId is { } boot && ReadStartTicks(processId) is { } started ? new ProcessGroupRecord(processId, started, boot) : null;

    /// <summary>SIGKILL to every process of the group; false when there was no such group (or no way to signal).</summary>
    public static bool KillGroup(int processGroupId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(processGroupId);

        // A negative pid addresses the group. No other group can have this id while the program's pid is ours.
        return Kill.Value is { } kill && kill(-processGroupId, SigKill) == 0;
    }

    /// <summary>
    /// Kills what is left of a group that a host recorded before it crashed, unless the record is not of this boot, or
    /// its leader's pid now belongs to a process that started at another time (the kernel hands out a pid again only
    /// once no process and no group uses it, so a reused leader pid means the group is gone). A group whose leader
    /// died (the parent-death signal) but whose members still run is killed. True when something was signalled.
    /// </summary>
    public static bool KillLeftover(ProcessGroupRecord group)
    {
        if (!MayStillBeOurs(group, out var leader))
        {
            return false;
        }

        var signalled = KillGroup(group.ProcessGroupId);
        if (leader is not null && Kill.Value is { } kill)
        {
            // Killed before setsid ran, the leader would still be in its old group.
            signalled |= kill(group.ProcessGroupId, SigKill) == 0;
        }

        return signalled;
    }

    /// <summary>Whether any process of a recorded group still runs (the test <see cref="KillLeftover"/> makes, without signalling).</summary>
    public static bool StillRuns(ProcessGroupRecord group) =>
        MayStillBeOurs(group, out var leader)
        && (leader is not null || (Kill.Value is { } kill && kill(-group.ProcessGroupId, 0) == 0));

    /// <summary>Recorded in this boot, and its leader's pid is either free or still the recorded process (its start ticks, when it runs).</summary>
    private static bool MayStillBeOurs(ProcessGroupRecord group, out ulong? leader)
    {
        ArgumentNullException.ThrowIfNull(group);
        leader = null;
        if (!Supported || group.BootId != BootId || group.ProcessGroupId <= 1)
        {
            return false;
        }

        leader = ReadStartTicks(group.ProcessGroupId);
        return leader is not { } started || started == group.StartTicks;
    }

    /// <summary>
    /// Resolves the program as <see cref="Process.Start()"/> does on Unix (a rooted path as is; otherwise beside the
    /// host's executable, in the current directory, then on PATH), since the launcher would otherwise report a missing
    /// program as an exit code. Null with the reason when there is nothing to run.
    /// </summary>
    internal static (string? Path, string? Error) ResolveProgram(string program)
    {
        string? found = null;
        if (Path.IsPathRooted(program))
        {
            found = program;
        }
        else
        {
            var candidates = new List<string>();
            if (Environment.ProcessPath is { } host && Path.GetDirectoryName(host) is { } hostDirectory)
            {
                candidates.Add(Path.Combine(hostDirectory, program));
            }

            candidates.Add(Path.Combine(Directory.GetCurrentDirectory(), program));
            if (!program.Contains('/', StringComparison.Ordinal))
            {
                foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
                {
                    candidates.Add(Path.Combine(directory, program));
                }
            }

            found = candidates.FirstOrDefault(IsExecutableFile);
        }

        if (found is null || !File.Exists(found))
        {
            return (null, "No such file or directory");
        }

        return IsExecutableFile(found) ? (found, null) : (null, "Permission denied");
    }

    private static bool IsExecutableFile(string path)
    {
        try
        {
            return !OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The start time (clock ticks since boot) of a process from <c>/proc/&lt;pid&gt;/stat</c>; null when there is none.</summary>
    private static ulong? ReadStartTicks(int processId)
    {
        if (ReadTrimmed($"/proc/{processId}/stat") is not { } stat)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp session ... starttime(22nd) ..."; comm may hold spaces and parentheses.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static KillFunction? LoadKill()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "kill", out var kill))
        {
            return null;
        }

        return Marshal.GetDelegateForFunctionPointer<KillFunction>(kill);
    }

    private static (string?, string?) FindLaunchers()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (null, null);
        }

        var setsid = FindSystemProgram("setsid");
        var setpriv = FindSystemProgram("setpriv");
        if (setpriv is not null && !KnowsParentDeathSignal(setpriv))
        {
            setpriv = null;
        }

        return (setsid, setpriv);
    }

    /// <summary>Only the system's own folders: a program of that name earlier on PATH must not stand in for it.</summary>
    private static string? FindSystemProgram(string name) =>
        new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Select(directory => Path.Combine(directory, name)).FirstOrDefault(IsExecutableFile);

    /// <summary><c>--pdeathsig</c> came with util-linux 2.33 (2018); an older <c>setpriv</c> refuses it.</summary>
    private static bool KnowsParentDeathSignal(string setpriv)
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo(setpriv) { ArgumentList = { "--pdeathsig", "KILL", "--", "true" }, UseShellExecute = false, RedirectStandardError = true });
            if (probe is null)
            {
                return false;
            }

            probe.StandardError.ReadToEnd();
            return probe.WaitForExit(5000) && probe.ExitCode == 0;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return false;
        }
    }
}
