namespace AgentFunctions.Orchestration;

/// <summary>A role run the orchestrator waits for.</summary>
internal sealed record PendingRole(string Role, Task<RoleRunResult> Run);
