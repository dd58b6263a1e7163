using System.Text.Json.Serialization;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Status;

/// <summary>One role in the task view. <see cref="Attempt"/> counts attempts started so far.</summary>
public sealed record RoleView
{
    public required string Role { get; init; }

    public int Stage { get; init; }

    public required RoleStatus State { get; init; }

    public int Attempt { get; init; }

    public int MaxAttempts { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? LastError { get; init; }

    public string? ResultRef { get; init; }

    public string? Summary { get; init; }

    public IReadOnlyList<string> Artifacts { get; init; } = [];

    public double? Progress { get; init; }

    public string? ProgressMessage { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? DeadLetterId { get; init; }

    public AgentUsage? Usage { get; init; }

    /// <summary>Capabilities this role's attempts need (the task's and its stage's <c>requires</c>); absent when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Requires { get; init; }

    /// <summary>Until when the role's circuit breaker holds its next attempt; absent when not held.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CircuitHeldUntil { get; init; }

    /// <summary>
    /// Why a role that waits to run waits, in words: <c>waiting for a worker with: database</c>, or the circuit
    /// breaker's hold. Absent when nothing holds it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WaitReason { get; init; }
}
