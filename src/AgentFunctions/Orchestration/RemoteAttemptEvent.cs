using AgentFunctions.Core.Retries;

namespace AgentFunctions.Orchestration;

/// <summary>
/// What a remote role's sub-orchestration tells its task between attempts (<see cref="OrchestrationEvents.RemoteAttempt"/>):
/// attempt <see cref="Attempt"/> failed and another follows (<see cref="Error"/> set), or a worker leased attempt
/// <see cref="Attempt"/> (it starts). The task view then shows the role retrying and the attempt running, as for an inline role.
/// </summary>
public sealed record RemoteAttemptEvent(string Role, int Attempt, FailureKind? Kind, string? Error);
