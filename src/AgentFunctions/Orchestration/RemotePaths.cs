namespace AgentFunctions.Orchestration;

/// <summary>Where the remote protocol keeps its documents in the <c>artifacts</c> container.</summary>
public static class RemotePaths
{
    /// <summary>The attempt envelope a worker receives (also a record of what the agent was given).</summary>
    public static string Envelope(string taskId, string role, int attempt) => $"tasks/{taskId}/attempts/{role}/attempt-{attempt}.json";

    /// <summary>The record of a lease, kept outside <c>tasks/</c> so task artifact listings never show it.</summary>
    public static string Lease(string role, string messageId) => $"leases/{role}/{messageId}.json";

    public const string LeasesPrefix = "leases/";
}
