using AgentFunctions.Api.Http;

namespace AgentFunctions.Orchestration;

/// <summary>Names of the orchestrator and activity functions (the Durable task names).</summary>
public static class OrchestrationNames
{
    /// <summary>The orchestration that runs one task; its instance id is the task id.</summary>
    public const string AgentTask = ApiRoutes.OrchestrationName;

    /// <summary>The sub-orchestration that runs a remote role's attempts through its work queue.</summary>
    public const string RemoteRole = "RemoteRoleOrchestrator";

    public const string DescribeRoles = "DescribeRoles";
    public const string RunRoleAttempt = "RunRoleAttempt";
    public const string WriteDeadLetter = "WriteDeadLetter";
    public const string WriteTaskResult = "WriteTaskResult";
    public const string DiscardResult = "DiscardResult";
    public const string DispatchRemoteAttempt = "DispatchRemoteAttempt";
    public const string AdmitAttempt = "AdmitAttempt";

    /// <summary>The sub-orchestration of a remote role of a task (':' never occurs in a task id).</summary>
    public static string RemoteInstanceId(string taskId, string role) => $"{taskId}:{role}";
}
