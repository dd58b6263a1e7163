namespace AgentFunctions.Core.Contracts;

/// <summary>Optional body of a heartbeat: progress 0..1 and a message for the task view.</summary>
public sealed record HeartbeatRequest
{
    public double? Progress { get; init; }

    public string? Message { get; init; }
}
