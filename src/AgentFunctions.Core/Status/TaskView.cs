using System.Text.Json.Serialization;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>What <c>GET /api/tasks/{id}</c> returns, and the Durable custom status.</summary>
public sealed record TaskView
{
    public required string Id { get; init; }

    public required AgentTaskStatus State { get; init; }

    public required string Type { get; init; }

    public string? From { get; init; }

    public TaskPriority Priority { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? DeadlineAt { get; init; }

    public int Stage { get; init; }

    public int StageCount { get; init; }

    public required IReadOnlyList<RoleView> Roles { get; init; }

    public ApprovalView? Approval { get; init; }

    public OutcomeView? Outcome { get; init; }

    public AgentUsage? Usage { get; init; }

    public string? ReplyTo { get; init; }

    public string? ReplayOf { get; init; }

    /// <summary>The W3C trace id of the task's trace (its submit, attempts, leases and workers), for a tracing backend.</summary>
    public string? TraceId { get; init; }

    public required TaskLinks Links { get; init; }

    /// <summary>
    /// What the server flagged: secrets found in the task when <c>Security:SecretScan</c> is Flag, and secrets it
    /// redacted from a role's result. Absent when there is nothing to say.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary>
    /// True when a host shortened the view to fit a size limit (the Durable custom status): texts such as
    /// summaries and errors were dropped; they stay in the artifacts. Absent from the JSON when false.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Truncated { get; init; }
}
