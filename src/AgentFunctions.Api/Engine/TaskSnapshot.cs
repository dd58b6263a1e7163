using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Api.Engine;

/// <summary>A task as the API reads it: its view, its spec, and its result once finished.</summary>
public sealed record TaskSnapshot(TaskView View, TaskSpec Spec, TaskResultDocument? Result)
{
    /// <summary>The trace the task belongs to (the context of the span that started it); null for a task from before traces.</summary>
    public TraceContext? Trace { get; init; }
}
