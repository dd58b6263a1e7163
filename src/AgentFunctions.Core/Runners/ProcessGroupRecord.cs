namespace AgentFunctions.Core.Runners;

/// <summary>
/// A running program's process group as a host records it: the group's id (the program's pid, which it leads), when
/// the leader started (clock ticks since boot, from <c>/proc</c>) and the boot it started in. Together they tell a
/// leftover group from an unrelated process that was later given the same pid.
/// </summary>
public sealed record ProcessGroupRecord(int ProcessGroupId, ulong StartTicks, string BootId);
