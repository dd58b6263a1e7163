using AgentFunctions.Core.Status;
using AgentQ.Cli;
using AgentQ.Http;

namespace AgentQ.Agent;

/// <summary>
/// The task behind a held lease, read to say what a lease call really did (the lease answers only say the call was
/// taken): null when the key may not read tasks (a worker-only key) or the read fails for any other reason.
/// </summary>
public static class TaskAfterLease
{
    public static async Task<TaskView?> TryReadAsync(AgentQClient client, string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            var response = await client.SendAsync(HttpMethod.Get, client.Api("tasks", taskId), null, cancellationToken);
            return response.IsSuccess ? response.Read<TaskView>() : null;
        }
        catch (CliException)
        {
            return null;
        }
    }
}
