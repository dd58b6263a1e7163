namespace AgentFunctions.Orchestration;

/// <summary>
/// How a role of a task runs, read from configuration once per task by an activity so that the
/// orchestration replays the same way even if configuration changes meanwhile.
/// </summary>
/// <param name="Remote">Attempts go to the role's work queue for remote workers (else an in-process runner activity).</param>
/// <param name="LeaseSeconds">How long a worker holds an attempt between heartbeats.</param>
/// <param name="Capabilities">What this host's runner of a local role can do (null in histories from before capabilities).</param>
public sealed record RoleRoute(string Role, bool Remote, int LeaseSeconds, IReadOnlyList<string>? Capabilities = null)
{
    /// <summary>Whether an inline role's runner can take an attempt with <paramref name="requires"/> (remote workers decide for themselves).</summary>
    public bool CanRun(IReadOnlyList<string> requires) => Remote || requires.All(r => Capabilities?.Contains(r, StringComparer.Ordinal) == true);
}
