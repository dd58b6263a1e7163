namespace AgentQ.Worker;

/// <summary>
/// Body of <c>POST /api/workers/{role}/lease</c>: the contract's <c>{ workerId, capabilities, waitSeconds }</c> plus the
/// lease length the worker would like (a server that does not know the field uses the role's lease).
/// </summary>
public sealed record WorkerLeaseRequest(string WorkerId, int WaitSeconds, int? LeaseSeconds, IReadOnlyList<string> Capabilities);
