namespace AgentFunctions.Orchestration;

public enum RemoteOutcomeKind
{
    Succeeded,
    Failed,
    Canceled,
}
