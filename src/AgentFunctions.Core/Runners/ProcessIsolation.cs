namespace AgentFunctions.Core.Runners;

/// <summary>
/// How <see cref="AgentProcess"/> separates the programs it starts from its own process. <see cref="None"/> starts
/// them as plain children. <see cref="Isolated"/> (Linux, with util-linux's <c>setsid</c> and <c>setpriv</c>) starts
/// each in a session and process group of its own, so ending the attempt kills the whole group (grandchildren too,
/// even those the tree walk would miss), and with a parent-death signal, so the program dies with the host even when
/// the host is killed outright. Groups are reported to <see cref="Ledger"/> while they run.
/// </summary>
public sealed record ProcessIsolation
{
    public static ProcessIsolation None { get; } = new();

    /// <summary>Own process group and parent-death signal, where the system offers them.</summary>
    public static ProcessIsolation Isolated { get; } = new() { OwnProcessGroup = true };

    public bool OwnProcessGroup { get; init; }

    /// <summary>Told of every group while it runs (only with <see cref="OwnProcessGroup"/>); null keeps no record.</summary>
    public IProcessGroupLedger? Ledger { get; init; }
}
