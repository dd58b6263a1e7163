using System.Text.Json.Serialization;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Runners;

/// <summary>What an agent answers for an attempt: the JSON agent result of a command (docs/configuration.md, "Roles") or a worker's complete body (docs/api.md, "Remote workers").</summary>
public sealed record AgentResult
{
    public AgentResultStatus Status { get; init; } = AgentResultStatus.Completed;

    public string? Summary { get; init; }

    /// <summary>The result as markdown.</summary>
    public string? Result { get; init; }

    public IReadOnlyList<AgentArtifact> Artifacts { get; init; } = [];

    /// <summary>For failures: do not retry.</summary>
    public bool Permanent { get; init; }

    public AgentUsage? Usage { get; init; }

    /// <summary>A remote worker's own span, reported with its complete (see <see cref="Contracts.WorkerSpan"/>); not stored with the result.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WorkerSpan? WorkerSpan { get; init; }

    public static AgentResult Completed(string result, string? summary = null) =>
        new() { Status = AgentResultStatus.Completed, Result = result, Summary = summary };

    public static AgentResult Failed(string message, bool permanent = false) =>
        new() { Status = AgentResultStatus.Failed, Summary = message, Permanent = permanent };
}
