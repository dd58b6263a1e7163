namespace AgentFunctions.Orchestration;

/// <summary>
/// Custom status of a remote-role sub-orchestration: the attempt it waits for. The lease API drops queue
/// messages of any other attempt (superseded after a timeout) instead of handing them to a worker.
/// </summary>
public sealed record RemoteAttemptStatus(string TaskId, string Role, int Attempt);
