using AgentFunctions.Core.Runners;

namespace AgentFunctions.Standalone.Engine;

/// <summary>Outbox payload: what an attempt produced, committed with its outcome and written to files afterwards.</summary>
public sealed record AttemptOutput(string Role, int Attempt, AgentResult Result);
