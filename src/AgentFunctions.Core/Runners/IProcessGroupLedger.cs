namespace AgentFunctions.Core.Runners;

/// <summary>
/// Where a host keeps the process groups of the programs it runs, so that those a crash left running can be found and
/// killed at its next start (<see cref="ProcessGroups.KillLeftover"/>).
/// </summary>
public interface IProcessGroupLedger
{
    /// <summary>A program was started in its own group; called before it is waited for.</summary>
    void Opened(ProcessGroupRecord group);

    /// <summary>The program ended and what was left of its group was killed.</summary>
    void Closed(ProcessGroupRecord group);
}
