using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Api.Engine;

/// <summary>A task as the API reads it: its view, its spec, and its result once finished.</summary>
public sealed record TaskSnapshot(TaskView View, TaskSpec Spec, TaskResultDocument? Result);
