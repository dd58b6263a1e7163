namespace AgentFunctions.Orchestration;

/// <summary>
/// How a role of a task runs, read from configuration once per task by an activity so that the
/// orchestration replays the same way even if configuration changes meanwhile.
/// </summary>
/// <param name="Remote">Attempts go to the role's work queue for remote workers (else an in-process runner activity).</param>
/// <param name="LeaseSeconds">How long a worker holds an attempt between heartbeats.</param>
public sealed record RoleRoute(string Role, bool Remote, int LeaseSeconds);
