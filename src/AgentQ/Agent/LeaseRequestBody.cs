namespace AgentQ.Agent;

/// <summary>The body <c>agentq take</c> sends to <c>POST /api/workers/{role}/lease</c> (absent fields left out).</summary>
public sealed record LeaseRequestBody(string WorkerId, string? TaskId, int WaitSeconds, int? LeaseSeconds);
