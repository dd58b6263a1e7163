namespace AgentFunctions.Core.Workflow;

/// <summary>A role's accepted (or held) result: a summary and references to the stored artifacts.</summary>
public sealed record RoleResult
{
    public string? Summary { get; init; }

    /// <summary>Artifact path of the markdown result, e.g. <c>tasks/t1/results/review.md</c>.</summary>
    public string? ResultRef { get; init; }

    /// <summary>Artifact paths of named files the agent produced.</summary>
    public IReadOnlyList<string> Artifacts { get; init; } = [];

    public AgentUsage? Usage { get; init; }

    /// <summary>What the server changed in the result before storing it (secrets it redacted), for the task view.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<string>? Warnings { get; init; }
}
