using AgentFunctions.Core.Workflow.Commands;

namespace AgentFunctions.Orchestration;

/// <summary>The next attempt of an inline role, waiting on a durable timer until it is due.</summary>
internal sealed record PendingRetry(RunRoleAttempt Command, Task Timer, CancellationTokenSource Cancellation);
