namespace AgentFunctions.Core.Contracts;

/// <summary>The answer to a purge (<c>DELETE /runtime/webhooks/durabletask/instances/{id}</c>), as the Durable Functions HTTP API gives it.</summary>
public sealed record PurgeResult(int InstancesDeleted);
