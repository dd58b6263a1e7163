namespace AgentFunctions.Api.Http;

/// <summary>Route templates of the HTTP API, relative to the host's <c>/api</c> prefix (Functions' default).</summary>
public static class ApiRoutes
{
    public const string Prefix = "api";

    public const string Tasks = "tasks";
    public const string Task = "tasks/{id}";
    public const string TaskResult = "tasks/{id}/result";
    public const string TaskArtifacts = "tasks/{id}/artifacts";
    public const string TaskArtifact = "tasks/{id}/artifacts/{*path}";
    public const string TaskApprove = "tasks/{id}/approve";
    public const string TaskReject = "tasks/{id}/reject";
    public const string TaskCancel = "tasks/{id}/cancel";
    public const string TaskHistory = "tasks/{id}/history";

    public const string DeadLetters = "deadletters";
    public const string DeadLetter = "deadletters/{id}";
    public const string DeadLetterReplay = "deadletters/{id}/replay";

    public const string WorkerLease = "workers/{role}/lease";
    public const string WorkerHeartbeat = "workers/{role}/leases/{leaseId}/heartbeat";
    public const string WorkerComplete = "workers/{role}/leases/{leaseId}/complete";
    public const string WorkerFail = "workers/{role}/leases/{leaseId}/fail";
    public const string WorkerRelease = "workers/{role}/leases/{leaseId}/release";

    public const string Roles = "roles";

    public const string Health = "health";
    public const string Metrics = "metrics";
    public const string OpenApiDocument = "openapi.json";

    /// <summary>The scopes of the caller's key.</summary>
    public const string WhoAmI = "whoami";

    /// <summary>The web console (index page) and its assets, anonymous: the page holds no data, it calls the API with the key entered in it.</summary>
    public const string Dashboard = "dashboard";
    public const string DashboardAsset = "dashboard/{*asset}";

    /// <summary>The Durable Functions HTTP API, served natively by Functions and by the Standalone server.</summary>
    public const string DurableInstance = "runtime/webhooks/durabletask/instances/{id}";
    public const string DurableRaiseEvent = "runtime/webhooks/durabletask/instances/{id}/raiseEvent/{eventName}";
    public const string DurableTerminate = "runtime/webhooks/durabletask/instances/{id}/terminate";

    /// <summary>Name of the orchestration that runs a task (the Durable instance "name").</summary>
    public const string OrchestrationName = "AgentTaskOrchestrator";

    public const string ApprovalEvent = "approval";
    public const string CancelEvent = "cancel";
}
