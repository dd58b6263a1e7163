using System.Globalization;

namespace AgentFunctions.Core.Runners;

/// <summary>The environment variables that describe an attempt to the program that works on it.</summary>
public static class AttemptEnvironment
{
    public const string TaskIdVariable = "AGENTQ_TASK_ID";
    public const string RoleVariable = "AGENTQ_ROLE";
    public const string AttemptVariable = "AGENTQ_ATTEMPT";
    public const string ArtifactsDirectoryVariable = "AGENTQ_ARTIFACTS_DIR";

    /// <summary>The W3C trace context of the attempt's span, as OpenTelemetry SDKs read it from the environment.</summary>
    public const string TraceParentVariable = "TRACEPARENT";

    public const string TraceStateVariable = "TRACESTATE";

    /// <param name="traceParent">The attempt's <c>traceparent</c>; null removes any inherited one, so a program never joins another trace.</param>
    public static IReadOnlyDictionary<string, string?> Create(string taskId, string role, int attempt, string artifactsDirectory, string? traceParent = null, string? traceState = null) =>
        new Dictionary<string, string?>
        {
            [TaskIdVariable] = taskId,
            [RoleVariable] = role,
            [AttemptVariable] = attempt.ToString(CultureInfo.InvariantCulture),
            [ArtifactsDirectoryVariable] = artifactsDirectory,
            [TraceParentVariable] = traceParent,
            [TraceStateVariable] = traceParent is null ? null : traceState,
        };
}
