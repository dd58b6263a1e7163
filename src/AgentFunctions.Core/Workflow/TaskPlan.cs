using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Core.Workflow;

/// <summary>
/// A validated spec with everything configuration contributes, fixed at submit time so that
/// the decider (and a Durable orchestrator) never reads configuration.
/// </summary>
public sealed record TaskPlan
{
    public required TaskSpec Spec { get; init; }

    public required IReadOnlyList<RolePlan> Roles { get; init; }

    public required TimeSpan ApprovalTimeout { get; init; }

    /// <summary>What the server flagged when it accepted the task (see <see cref="TaskState.Warnings"/>).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The context of the span that submitted the task (see <see cref="TaskState.Trace"/>); null for a task started without one.</summary>
    public TraceContext? Trace { get; init; }

    public string Id => Spec.Id ?? throw new InvalidOperationException("A planned task has an id.");

    /// <summary>Plans a validated spec that already carries its id.</summary>
    public static TaskPlan Create(TaskSpec spec, RoleCatalog catalog, WorkflowOptions workflow)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(workflow);
        if (spec.Id is null)
        {
            throw new ArgumentException("The spec must carry its task id.", nameof(spec));
        }

        var roles = spec.AllRoles()
            .Select(name => catalog.Find(name) ?? throw new ArgumentException($"Unknown role '{name}'.", nameof(spec)))
            .Select(role => new RolePlan(role.Name, role.Retry.With(spec.Retry), role.RequiresApproval))
            .ToList();
        var approvalTimeout = spec.ApprovalTimeoutSeconds is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : workflow.ApprovalTimeout;
        return new TaskPlan { Spec = spec, Roles = roles, ApprovalTimeout = approvalTimeout };
    }
}
