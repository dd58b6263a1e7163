namespace AgentFunctions.Orchestration;

/// <summary>An approval timeout timer; canceled through its own source once its gate is decided.</summary>
internal sealed record PendingApproval(string? Role, DateTimeOffset DeadlineAt, Task Timer, CancellationTokenSource Cancellation);
