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
    /// <param name="hidden">Inherited variables to leave out (null: none).</param>
    public static IReadOnlyDictionary<string, string?> Create(string taskId, string role, int attempt, string artifactsDirectory, string? traceParent = null, string? traceState = null, IEnumerable<string>? hidden = null)
    {
        var environment = new Dictionary<string, string?>();
        foreach (var name in hidden ?? [])
        {
            environment[name] = null;
        }

        environment[TaskIdVariable] = taskId;
        environment[RoleVariable] = role;
        environment[AttemptVariable] = attempt.ToString(CultureInfo.InvariantCulture);
        environment[ArtifactsDirectoryVariable] = artifactsDirectory;
        environment[TraceParentVariable] = traceParent;
        environment[TraceStateVariable] = traceParent is null ? null : traceState;
        return environment;
    }
}
