using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>The content of <c>tasks/&lt;id&gt;/result.json</c> and of <c>GET /api/tasks/{id}/result</c>.</summary>
public sealed record TaskResultDocument
{
    public required string Id { get; init; }

    public required AgentTaskStatus State { get; init; }

    public required OutcomeView Outcome { get; init; }

    public required IReadOnlyList<RoleResultView> Roles { get; init; }

    public AgentUsage? Usage { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }
}
