using System.Net;
using AgentQ.Cli;
using AgentQ.Http;

namespace AgentQ.Agent;

/// <summary>
/// One call on a held lease (heartbeat, complete, fail): the lease id from the lease file, the answer checked, and a
/// 410 turned into exit 4 saying whether the lease expired or the task ended (the lease file is then forgotten).
/// </summary>
public static class LeaseCall
{
    public static async Task<ApiResponse> SendAsync(AgentQClient client, LeaseStore store, HeldLease lease, string action, object? body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(lease);
        var response = await client.SendAsync(HttpMethod.Post, client.Api("workers", lease.Role, "leases", lease.LeaseId, action), body, cancellationToken);
        if (response.Status == HttpStatusCode.Gone)
        {
            store.Forget(lease);
            throw await LeaseGone.ExplainAsync(client, lease, cancellationToken);
        }

        client.EnsureSuccess(response);
        return response;
    }
}
