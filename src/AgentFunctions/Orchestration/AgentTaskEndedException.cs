using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Orchestration;

/// <summary>
/// Ends the orchestration as Failed for a task that ended failed, rejected, expired or canceled, so the
/// Durable status URL answers as docs/api.md maps it ("Durable status URLs": 400 rather than 200). The final task view stays the
/// instance's custom status and <c>result.json</c> is written before.
/// </summary>
public sealed class AgentTaskEndedException : Exception
{
    public AgentTaskEndedException()
    {
    }

    public AgentTaskEndedException(string message)
        : base(message)
    {
    }

    public AgentTaskEndedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AgentTaskEndedException(string taskId, AgentTaskStatus status, string reason)
        : base($"task '{taskId}' ended {Names.Of(status)}: {reason}")
    {
        Status = status;
    }

    public AgentTaskStatus? Status { get; }
}
