using System.Globalization;

namespace AgentFunctions.Core.Runners;

/// <summary>The environment variables that describe an attempt to the program that works on it.</summary>
public static class AttemptEnvironment
{
    public const string TaskIdVariable = "AGENTQ_TASK_ID";
    public const string RoleVariable = "AGENTQ_ROLE";
    public const string AttemptVariable = "AGENTQ_ATTEMPT";
    public const string ArtifactsDirectoryVariable = "AGENTQ_ARTIFACTS_DIR";

    public static IReadOnlyDictionary<string, string?> Create(string taskId, string role, int attempt, string artifactsDirectory) =>
        new Dictionary<string, string?>
        {
            [TaskIdVariable] = taskId,
            [RoleVariable] = role,
            [AttemptVariable] = attempt.ToString(CultureInfo.InvariantCulture),
            [ArtifactsDirectoryVariable] = artifactsDirectory,
        };
}
