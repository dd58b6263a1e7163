using AgentFunctions.Api.Http;

namespace AgentFunctions.Orchestration;

/// <summary>External event names the orchestrations wait for.</summary>
public static class OrchestrationEvents
{
    /// <summary><c>{ decision: "approve"|"reject", by, note, role? }</c> raised by approve/reject.</summary>
    public const string Approval = ApiRoutes.ApprovalEvent;

    /// <summary><c>{ by, reason }</c> raised by cancel; also sent by a task to its remote-role sub-orchestrations.</summary>
    public const string Cancel = ApiRoutes.CancelEvent;

    /// <summary><c>{ role, attempt, progress, message }</c> raised by a remote worker's heartbeat.</summary>
    public const string Progress = "progress";

    /// <summary>Sent by a remote role's sub-orchestration to its task when an attempt failed and when the next one starts (<see cref="RemoteAttemptEvent"/>).</summary>
    public const string RemoteAttempt = "remote-attempt";

    /// <summary>The outcome of attempt <paramref name="attempt"/> of a remote role, raised to its sub-orchestration.</summary>
    public static string RemoteResult(int attempt) => $"result-{attempt}";

    /// <summary>A lease, heartbeat or release of attempt <paramref name="attempt"/> of a remote role (<see cref="RemoteLeaseEvent"/>).</summary>
    public static string RemoteLease(int attempt) => $"lease-{attempt}";
}
