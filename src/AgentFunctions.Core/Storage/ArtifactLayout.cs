namespace AgentFunctions.Core.Storage;

/// <summary>The one artifact layout (docs/api.md, "Artifacts"), used on disk and in the <c>artifacts</c> container.</summary>
public static class ArtifactLayout
{
    public const string Container = "artifacts";
    public const string DeadLetterContainer = "dead-letter";

    public static string TaskPrefix(string taskId) => $"tasks/{taskId}/";

    public static string Spec(string taskId) => $"tasks/{taskId}/spec.json";

    public static string Context(string taskId) => $"tasks/{taskId}/context.md";

    public static string ResultMarkdown(string taskId, string role) => $"tasks/{taskId}/results/{role}.md";

    public static string ResultJson(string taskId, string role) => $"tasks/{taskId}/results/{role}.json";

    public static string Artifact(string taskId, string role, string name) => $"tasks/{taskId}/artifacts/{role}/{name}";

    public static string TaskResult(string taskId) => $"tasks/{taskId}/result.json";

    /// <summary>Where a result that arrived after its task ended is kept, apart from the real results.</summary>
    public static string Discarded(string taskId, string role, int attempt, string name) =>
        $"tasks/{taskId}/discarded/{role}/attempt-{attempt}/{name}";

    /// <summary>Dead-letter id of a role of a task: unique, URL-safe ('~' is in neither alphabet).</summary>
    public static string DeadLetterId(string taskId, string role) => $"{taskId}~{role}";
}
