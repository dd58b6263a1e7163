using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Orchestration;

/// <summary>
/// The input of a task orchestration: its plan without the inline context (up to 1 MiB, which every replay would
/// load and every activity input would repeat), the context's artifact path instead, and the fingerprint of the
/// full spec for idempotent resubmission. Its JSON is a superset of a <see cref="TaskPlan"/>'s, so readers that
/// take the input as a plan keep working.
/// </summary>
public sealed record TaskInput
{
    /// <summary>The spec, with <see cref="TaskSpec.Context"/> left out (it is <c>tasks/&lt;id&gt;/context.md</c>).</summary>
    public required TaskSpec Spec { get; init; }

    public required IReadOnlyList<RolePlan> Roles { get; init; }

    public required TimeSpan ApprovalTimeout { get; init; }

    /// <summary>Where the inline context is stored (written before the orchestration starts); null without one.</summary>
    public string? ContextRef { get; init; }

    /// <summary><see cref="SpecFingerprint"/> of the submitted spec, context included.</summary>
    public string? SpecHash { get; init; }

    /// <summary>The trace the task belongs to (the context of the span that submitted it); orchestrations pass it on, never make one.</summary>
    public TraceContext? Trace { get; init; }

    public string Id => Spec.Id ?? throw new InvalidOperationException("A planned task has an id.");

    public static TaskInput From(TaskPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new TaskInput
        {
            Spec = plan.Spec with { Context = null },
            Roles = plan.Roles,
            ApprovalTimeout = plan.ApprovalTimeout,
            ContextRef = plan.Spec.Context is null ? null : ArtifactLayout.Context(plan.Id),
            SpecHash = SpecFingerprint.Compute(plan.Spec),
            Trace = plan.Trace,
        };
    }

    /// <summary>The plan the decider starts from (the spec without its inline context).</summary>
    public TaskPlan ToPlan() => new() { Spec = Spec, Roles = Roles, ApprovalTimeout = ApprovalTimeout, Trace = Trace };
}
